/** What a JSON client cannot send: bytes on a raw socket. */
import { STATUS_CODES } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness, type Tenant } from '../testing/harness.js'

let h: Harness
let t: Tenant
let id: string
let port: number

beforeAll(async () => {
  h = await startHarness({ timeouts: { headersMs: 800, requestMs: 1500, idleMs: 3000, checkIntervalMs: 200 } })
  port = Number(new URL(h.baseUrl).port)
  t = await h.tenant()
  id = (await h.createLlm(t.key)).id
})
afterAll(() => stopHarness(h))

interface RawResult {
  /** Everything the server sent before it closed (or before `waitMs` passed). */
  text: string
  closed: boolean
  ms: number
}

/** Sends `chunks` (with optional pauses) and collects the answer. */
function raw(chunks: (string | Buffer | number)[], waitMs = 3000, halfClose = false): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket: Socket = connect(port, '127.0.0.1')
    let text = ''
    let done = false
    const finish = (closed: boolean) => {
      if (done) return
      done = true
      socket.destroy()
      resolve({ text, closed, ms: Date.now() - started })
    }
    socket.on('data', (d) => (text += d.toString('latin1')))
    socket.on('close', () => finish(true))
    socket.on('error', () => finish(true))
    setTimeout(() => finish(false), waitMs)
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk))
        else if (!socket.destroyed) socket.write(chunk)
      }
      if (halfClose && !socket.destroyed) socket.end()
    })
  })
}

function head(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${t.key}`]
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
const jsonOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))

/**
 * The answer is the contract's error body, with a request id that its header repeats and that a
 * log line carries, although the connection never became a request a route saw.
 */
async function expectErrorShape(text: string, statusCode: number, code: string, message: string): Promise<void> {
  const requestId = /\r\nX-Request-Id: ([0-9a-f-]{36})\r\n/i.exec(text)?.[1]
  expect(requestId, text).toBeDefined()
  expect(jsonOf(text)).toEqual({ statusCode, error: STATUS_CODES[statusCode], code, message, requestId })
  expect(text).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/i)
  await expect.poll(() => h.logLine(requestId)).toMatchObject({ statusCode, code })
}

describe('raw sockets', () => {
  test('a truncated body (Content-Length larger than what is sent, then the client stops) changes nothing', async () => {
    const before = await h.stored(id)
    const result = await raw([head('PUT', `/v1/llms/${id}`, { 'Content-Type': 'application/json', 'Content-Length': 100 }), '{"temperature": 1.9'], 4000, true)
    expect(result.closed).toBe(true)
    expect(await h.stored(id)).toEqual(before)
    expect((await h.get(`/v1/llms/${id}`, t.key)).status).toBe(200)
  })

  test('a body that never finishes is cut off by the request timeout with a 408, and nothing changes', async () => {
    const before = await h.stored(id)
    const result = await raw([head('PUT', `/v1/llms/${id}`, { 'Content-Type': 'application/json', 'Content-Length': 100 }), '{"temp'], 5000)
    expect(result.closed).toBe(true)
    expect(statusOf(result.text)).toBe(408)
    await expectErrorShape(result.text, 408, 'request_timeout', 'The request did not arrive in time')
    expect(result.ms).toBeLessThan(4000)
    expect(await h.stored(id)).toEqual(before)
  })

  test('a Content-Length smaller than the body: the body is cut there, so it is malformed JSON (400)', async () => {
    const body = '{"temperature": 0.25}'
    const before = await h.stored(id)
    const result = await raw([head('PUT', `/v1/llms/${id}`, { 'Content-Type': 'application/json', 'Content-Length': 10 }), body], 1500)
    // The rest of the bytes are read as the next request, which is not HTTP: the server answers
    // 400 and closes the connection (it may do so before the cut body's own 400 is written).
    expect(statusOf(result.text)).toBe(400)
    expect(result.closed).toBe(true)
    expect(await h.stored(id)).toEqual(before)
  })

  test('a declared body far over 64 KiB answers 413 at once, without the server reading it', async () => {
    const result = await raw([head('PUT', `/v1/llms/${id}`, { 'Content-Type': 'application/json', 'Content-Length': 50_000_000 }), '{"a":'], 3000)
    expect(statusOf(result.text)).toBe(413)
    expect(result.ms).toBeLessThan(2500)
    expect(result.text).toContain('"statusCode":413')
  })

  test('a chunked body that grows past 64 KiB answers 413', async () => {
    const chunk = `{"description":"${'x'.repeat(30_000)}`
    const piece = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`
    const result = await raw(
      [head('PUT', `/v1/llms/${id}`, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }), piece(chunk), piece('x'.repeat(30_000)), piece('x'.repeat(30_000)), '0\r\n\r\n'],
      3000,
    )
    expect(statusOf(result.text)).toBe(413)
  })

  test('invalid UTF-8 inside a JSON string answers 400 and stores nothing', async () => {
    const before = await h.stored(id)
    const body = Buffer.concat([Buffer.from('{"displayName": "bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])
    const result = await raw([head('PUT', `/v1/llms/${id}`, { 'Content-Type': 'application/json', 'Content-Length': body.length }), body], 1500)
    expect(statusOf(result.text)).toBe(400)
    expect(jsonOf(result.text).message).toBe('Request body is not valid UTF-8')
    expect(await h.stored(id)).toEqual(before)
  })

  test('a wrong Content-Type on a raw request answers 415 JSON', async () => {
    const body = 'temperature=0.5'
    const result = await raw([head('PUT', `/v1/llms/${id}`, { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }), body], 1500)
    expect(statusOf(result.text)).toBe(415)
    expect(jsonOf(result.text).statusCode).toBe(415)
    // Every 415 names the one content coding a body may have (RFC 7694).
    expect(result.text).toMatch(/\r\naccept-encoding: identity\r\n/i)
  })

  test('a slow client that never finishes its headers is closed by the header timeout, and others are served meanwhile', async () => {
    const slow = raw(['PUT /v1/llms/x HTTP/1.1\r\nHost: localhost\r\n', 300, 'X-Slow: 1\r\n', 300, 'X-Slower: 1\r\n'], 6000)
    const others = await Promise.all(Array.from({ length: 20 }, () => h.get(`/v1/llms/${id}`, t.key)))
    expect(others.map((r) => r.status)).toEqual(others.map(() => 200))
    const result = await slow
    expect(result.closed).toBe(true)
    expect(result.ms).toBeLessThan(5000)
  })

  test('garbage instead of HTTP gets a 400 in the error shape, and the connection is closed', async () => {
    const result = await raw(['\x00\x01\x02 not http at all\r\n\r\n'], 2000)
    expect(result.closed).toBe(true)
    expect(statusOf(result.text)).toBe(400)
    await expectErrorShape(result.text, 400, 'bad_request', 'The request is not valid HTTP/1.1')
  })

  test('a request line and headers over 16 KiB get a 431 in the error shape, and the connection is closed', async () => {
    const result = await raw([head('GET', `/v1/llms/${id}`, { 'X-Padding': 'x'.repeat(17_000) })], 2000)
    expect(result.closed).toBe(true)
    expect(statusOf(result.text)).toBe(431)
    await expectErrorShape(result.text, 431, 'headers_too_large', 'The request line and headers are larger than 16384 bytes')
    const long = await raw([`GET /v1/llms/${'a'.repeat(17_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`], 2000)
    expect(statusOf(long.text)).toBe(431)
  })
})
