/** Credentials never travel on argv: they come from standard input, or a hidden prompt on a terminal. */
import { readFileSync } from 'node:fs'

/** Everything on standard input, read once (for `-` files and piped secrets). */
export function readStdin(): string {
  return readFileSync(0, 'utf8')
}

/** The secret from standard input (its last line break dropped), or typed at a prompt that echoes nothing. */
export async function readSecret(prompt = 'Secret (not shown): '): Promise<string> {
  const stdin = process.stdin
  if (!stdin.isTTY) return readStdin().replace(/\r?\n$/, '')
  process.stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.resume()
  stdin.setEncoding('utf8')
  return new Promise((resolve, reject) => {
    let typed = ''
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish()
          resolve(typed)
          return
        }
        if (char === '\u0003') {
          finish()
          reject(new Error('cancelled'))
          return
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1)
        else typed += char
      }
    }
    const finish = () => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
    }
    stdin.on('data', onData)
  })
}
