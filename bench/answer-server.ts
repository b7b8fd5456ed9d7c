/**
 * What the benchmark's stand-in servers share (bench/bare-server.ts, bench/write-server.ts): a
 * node:http server that reads each request's body and answers the bytes `POST /__answer` set
 * (the service's answer for the operation under load, see `mirror` in bench/run.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'

/**
 * `handle` sees each request and its body first; the answer goes when the promise it returns
 * settles (a 500 if it rejects), or at once when it returns nothing.
 */
export function answerServer(handle: (req: IncomingMessage, body: Buffer) => Promise<unknown> | undefined): Server {
  let answer = { status: 200, body: Buffer.from('{}'), headers: { 'content-type': 'application/json; charset=utf-8' } }
  return createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      if (req.url === '/__answer') {
        const next = JSON.parse(raw.toString('utf8')) as { status: number; body: string; headers: Record<string, string> }
        answer = { status: next.status, body: Buffer.from(next.body), headers: { ...answer.headers, ...next.headers } }
        res.writeHead(204).end()
        return
      }
      const send = () => res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length }).end(answer.body)
      const pending = handle(req, raw)
      if (pending === undefined) send()
      else
        pending.then(send, (error: unknown) => {
          process.stderr.write(`bench: ${String(error)}\n`)
          res.writeHead(500).end()
        })
    })
  })
}
