/**
 * What JSON.parse found wrong in a text, and where, without a byte of the text: V8's message
 * names the problem and its position ("Expected double-quoted property name in JSON at position
 * 20"), which becomes a line and column; the form that quotes the text around an unexpected
 * token (which may be a secret's first character) is said without it. The server's body parser,
 * the CLI and the console say it the same way. Undefined when the message is none of these.
 */
export function jsonSyntaxProblem(error: unknown, text: string): string | undefined {
  const message = error instanceof SyntaxError ? error.message : ''
  const at = /^(.+?)(?: in JSON)? at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message)
  if (at !== null) {
    const before = text.slice(0, Number(at[2]))
    const line = before.split('\n').length
    const column = before.length - before.lastIndexOf('\n')
    return `${lowerFirst(at[1] ?? '')} (line ${line}, column ${column})`
  }
  if (message === 'Unexpected end of JSON input') return 'it ends before the JSON does'
  if (message.startsWith('Unexpected token')) return 'a value that is not JSON (text in double quotes, numbers as 0.5 not .5, no NaN or comments)'
  return undefined
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1)
