/** AccessLine writes exactly the line pino writes for the same call, whatever the URL holds. */
import { Writable } from 'node:stream'
import pino from 'pino'
import { expect, test } from 'vitest'
import { AccessLine } from './access-line.js'

function collector(): { stream: Writable; lines: string[] } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { stream, lines }
}

/**
 * The line without its time, which is the only part that may differ between two calls: a number,
 * or a string with the `timestamp` option's ISO time.
 */
const timeless = (line: string | undefined) => line?.replace(/"time":("[^"]*"|\d+),/, '"time":0,')

type Request = [reqId: string, method: string, url: string, statusCode: number, responseTime: number]

/**
 * Writes the same request through AccessLine and through `logger` itself, to the logger's one
 * destination, and answers both lines: AccessLine's first.
 */
function bothLines(options: pino.LoggerOptions, [reqId, method, url, statusCode, responseTime]: Request): [string | undefined, string | undefined] {
  const out = collector()
  const logger = pino({ level: 'info', ...options }, out.stream)
  new AccessLine(logger).write(reqId, method, url, statusCode, responseTime)
  logger.info({ reqId, method, url, statusCode, responseTime }, 'request completed')
  expect(out.lines).toHaveLength(2)
  return [out.lines[0], out.lines[1]]
}

const REQUESTS: Request[] = [
  ['0f8b6c1e-2d3a-4b5c-8d9e-0a1b2c3d4e5f', 'GET', '/v1/llms/0193a4b2-1c2d-7e3f-8a9b-0c1d2e3f4a5b', 200, 0.41235],
  ['req-1', 'PUT', '/v1/llms/x?search=%22quoted%22&tag="raw"\\back', 412, 12],
  ['r', 'POST', '/v1/llms/ünïcödé/😀/\u0001\u001f\u007f\u2028', 400, 1e-7],
  ['r', 'GET', `/v1/llms/${'a'.repeat(3000)}`, 404, 123456.789],
  ['r', 'DELETE', '/', 204, Number.NaN],
]

test.each(REQUESTS)('the line for %s %s %s is pino’s, byte for byte', (...request) => {
  const [ours, theirs] = bothLines({}, request)
  expect(timeless(ours)).toBe(timeless(theirs))
  const [reqId, method, , statusCode] = request
  expect(JSON.parse(ours as string)).toMatchObject({ level: 30, reqId, method, statusCode })
})

test.each([
  ['a base of its own', { base: { pid: 7, hostname: 'h"ost', service: 'llm-registry' } }],
  ['no base', { base: null }],
  ['redaction', { redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } }],
  ['an ISO time', { timestamp: pino.stdTimeFunctions.isoTime }],
  ['its level as a label', { formatters: { level: (label: string) => ({ level: label }) } }],
  ['a message key of its own', { messageKey: 'message' }],
  ['CRLF line ends', { crlf: true }],
] satisfies [string, pino.LoggerOptions][])('the line is written as the logger it is made from writes its own (%s)', (_name, options) => {
  const [ours, theirs] = bothLines(options, ['r', 'GET', '/v1/llms', 200, 1.5])
  expect(timeless(ours)).toBe(timeless(theirs))
  expect(typeof JSON.parse(ours as string).time).toBe(typeof JSON.parse(theirs as string).time)
})

test('a lone surrogate is escaped, so the line stays valid JSON (pino writes it raw; a URL never holds one)', () => {
  // Node makes request.url from the request's bytes as Latin-1, so it cannot hold a surrogate.
  const ours = collector()
  const url = '/lone/\ud800/surrogate/\udfff'
  new AccessLine(pino({ level: 'info' }, ours.stream)).write('r', 'GET', url, 400, 0)
  expect(ours.lines[0]).toContain('/lone/\\ud800/surrogate/\\udfff')
  expect(JSON.parse(ours.lines[0] as string).url).toBe(url)
})

test.each(['warn', 'error', 'fatal', 'silent'])('no line at level %s; a line at info, debug and trace', (level) => {
  const quiet = collector()
  new AccessLine(pino({ level }, quiet.stream)).write('r', 'GET', '/', 200, 1)
  expect(quiet.lines).toEqual([])
  for (const loud of ['info', 'debug', 'trace']) {
    const lines = collector()
    new AccessLine(pino({ level: loud }, lines.stream)).write('r', 'GET', '/', 200, 1)
    expect(lines.lines).toHaveLength(1)
  }
})
