/** The HTTP envelope: body limits, content types, error bodies, request ids, secrets in logs. */
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, validLlm, type Harness } from '../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

describe('request bodies', () => {
  test('a body over 64 KiB answers 413 JSON and changes nothing', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const before = await h.stored(llm.id)
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { description: 'x'.repeat(70 * 1024) })
    expect(reply.status).toBe(413)
    expect(reply.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'payload_too_large',
      message: 'Request body is larger than the limit of 65536 bytes',
      requestId: reply.headers.get('x-request-id'),
    })
    expect(await h.stored(llm.id)).toEqual(before)
  })

  test.each([['text/plain'], ['application/x-www-form-urlencoded'], ['application/xml']])(
    'Content-Type %s answers 415 JSON and changes nothing',
    async (type) => {
      const t = await h.tenant()
      const llm = await h.createLlm(t.key)
      const before = await h.stored(llm.id)
      const reply = await h.request('PUT', `/v1/llms/${llm.id}`, {
        key: t.key,
        raw: '{"temperature": 0.5}',
        headers: { 'content-type': type },
      })
      expect(reply.status).toBe(415)
      expect(reply.body.message).toBe('Content-Type must be application/json')
      expect(await h.stored(llm.id)).toEqual(before)
    },
  )

  test('application/json; charset=utf-8 is accepted', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, {
      key: t.key,
      raw: '{"temperature": 0.5}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    })
    expect(reply.status).toBe(200)
  })

  test('malformed JSON answers 400 "Malformed JSON body: …" without echoing any of the input', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const before = await h.stored(llm.id)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw: '{"secret": sk-unquoted-leak' })
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'malformed_body',
      message: 'Malformed JSON body: a value that is not JSON (text in double quotes, numbers as 0.5 not .5, no NaN or comments)',
      requestId: reply.headers.get('x-request-id'),
    })
    expect(reply.text).not.toContain('sk-unquoted-leak')
    expect(reply.text).not.toContain('"s"')
    expect(await h.stored(llm.id)).toEqual(before)
  })

  test.each([
    ['{"temperature": 0.5,}', 'expected double-quoted property name (line 1, column 21)'],
    ['{\n  "temperature": 0.5\n  "maxTokens": 10\n}', "expected ',' or '}' after property value (line 3, column 3)"],
    ["{'temperature': 0.5}", "expected property name or '}' (line 1, column 2)"],
    ['{} {}', 'unexpected non-whitespace character after JSON (line 1, column 4)'],
    ['{"description": "two\nlines"}', 'bad control character in string literal (line 1, column 21)'],
    ['{"temperature": 0.5', "expected ',' or '}' after property value (line 1, column 20)"],
    ['{"temperature": ', 'it ends before the JSON does'],
    ['   ', 'it ends before the JSON does'],
  ])('malformed JSON %j says what and where: %s', async (raw, what) => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw })
    expect([reply.status, reply.body.code, reply.body.message]).toEqual([400, 'malformed_body', `Malformed JSON body: ${what}`])
  })

  test.each([
    ['an empty body with a JSON content type', ''],
    ['a JSON array', '[]'],
    ['a JSON string', '"x"'],
    ['JSON null', 'null'],
    ['a JSON number', '1'],
  ])('%s answers 400', async (_name, raw) => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw })
    expect(reply.status).toBe(400)
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
    expect(typeof reply.body.message).toBe('string')
  })

  test('a field given twice in one object answers 400 naming it, and changes nothing', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const before = await h.stored(llm.id)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw: '{"temperature": 0.5, "metadata": {"team": "a", "team": "b"}, "temperature": 0.7}' })
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'malformed_body',
      message: 'Request body gives a field more than once in one object',
      requestId: reply.headers.get('x-request-id'),
      details: [
        { field: 'metadata.team', message: 'is given more than once' },
        { field: 'temperature', message: 'is given more than once' },
      ],
    })
    expect(await h.stored(llm.id)).toEqual(before)

    const created = await h.request('POST', '/v1/llms', { key: t.key, raw: JSON.stringify(validLlm()).replace('{', '{"displayName": "first", ') })
    expect(created.status).toBe(400)
    expect(created.body.details).toEqual([{ field: 'displayName', message: 'is given more than once' }])
    const list = await h.request('GET', '/v1/llms?includeDefaults=false', { key: t.key })
    expect(list.body.meta.total).toBe(1)
  })

  test('a number JSON.parse would change (beyond ±(2^53 − 1), I-JSON) answers 400 naming it, and changes nothing', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { metadata: { team: 'x' } })
    const before = await h.stored(llm.id)
    const beyond = 'is a number too large to keep exactly (beyond ±9007199254740991); send it as a string'
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw: '{"metadata": {"big": 1e400, "ids": [1, 9007199254740993], "small": -1e300}, "temperature": 1e999}' })
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'malformed_body',
      message: 'Request body holds a number that cannot be kept as written',
      requestId: reply.headers.get('x-request-id'),
      details: [
        { field: 'metadata.big', message: beyond },
        { field: 'metadata.ids[1]', message: beyond },
        { field: 'metadata.small', message: beyond },
        { field: 'temperature', message: beyond },
      ],
    })
    expect(await h.stored(llm.id)).toEqual(before)
    const created = await h.request('POST', '/v1/llms', { key: t.key, raw: JSON.stringify(validLlm({ metadata: { id: 0 } })).replace('"id":0', '"id":12345678901234567890') })
    expect([created.status, created.body.details]).toEqual([400, [{ field: 'metadata.id', message: beyond }]])
    // At the edge, and as strings, they are kept as written.
    const edge = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw: '{"metadata": {"max": 9007199254740991, "min": -9007199254740991, "id": "12345678901234567890", "tiny": 1e-300}}' })
    expect([edge.status, edge.body.metadata]).toEqual([200, { max: 9007199254740991, min: -9007199254740991, id: '12345678901234567890', tiny: 1e-300 }])
    expect((await h.get(`/v1/llms/${llm.id}`, t.key)).body.metadata).toEqual(edge.body.metadata)
  })

  test('a body nested more than 32 levels deep answers 400, however deep (no walk of it overflows the stack)', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const before = await h.stored(llm.id)
    const nested = (depth: number) => `{"metadata": {"a": ${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`
    for (const depth of [33, 30_000]) {
      const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw: nested(depth) })
      expect([reply.status, reply.body.code, reply.body.message]).toEqual([400, 'malformed_body', 'Request body nests arrays and objects more than 32 levels deep'])
    }
    // At 32 the body is read, and metadata's own rule names the problem.
    const within = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw: nested(32) })
    expect([within.status, within.body.details]).toEqual([400, [{ field: 'metadata', message: 'must be at most 10 levels deep' }]])
    expect(await h.stored(llm.id)).toEqual(before)
  })

  test('a PUT with no body at all answers 400 "body must be a JSON object"', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key })
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([{ field: 'body', message: 'must be a JSON object' }])
  })
})

describe('errors and request ids', () => {
  test('every response carries X-Request-Id, errors and unknown routes included', async () => {
    const t = await h.tenant()
    for (const [method, path, key] of [
      ['GET', '/v1/llms', t.key],
      ['GET', '/v1/llms', undefined],
      ['GET', '/v1/nothing-here', t.key],
      ['GET', '/healthz', undefined],
      ['PUT', '/v1/llms/absent', t.key],
    ] as const) {
      const reply = await h.request(method, path, { key, body: method === 'PUT' ? {} : undefined })
      expect(reply.headers.get('x-request-id'), `${method} ${path}`).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  test("a caller's safe X-Request-Id is kept; an unsafe one is replaced", async () => {
    const kept = await h.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-abc.123' } })
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123')
    const replaced = await h.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } })
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('each request is logged once when answered: its id, method, URL, status and time, and nothing else', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const url = `/v1/llms/${llm.id}?note=%22quoted%22`
    const reply = await h.request('GET', url, { key: t.key, headers: { 'x-request-id': 'trace-log.1' } })
    expect(reply.status).toBe(200)
    const lines = h.logs.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"trace-log.1"'))
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>
    expect(Object.keys(line)).toEqual(['level', 'time', 'pid', 'hostname', 'reqId', 'method', 'url', 'statusCode', 'responseTime', 'msg'])
    expect(line).toMatchObject({ level: 30, pid: process.pid, reqId: 'trace-log.1', method: 'GET', url, statusCode: 200, msg: 'request completed' })
    expect(line.responseTime).toBeGreaterThan(0)
    expect(Math.abs((line.time as number) - Date.now())).toBeLessThan(60_000)
  })

  test('an unknown route answers 404 JSON, never HTML', async () => {
    const reply = await h.get('/v2/whatever')
    expect(reply.status).toBe(404)
    expect(reply.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'route_not_found',
      message: 'Route not found',
      requestId: reply.headers.get('x-request-id'),
    })
  })
})

describe('secrets', () => {
  test('a secret never appears in any response body, header or log line', async () => {
    const secret = 'sk-NEVER-SHOWN-4242-abcdef'
    const t = await h.tenant()
    const created = await h.post('/v1/llms', t.key, validLlm({ secret }))
    const id = created.body.id
    await h.put(`/v1/llms/${id}`, t.key, { secret: `${secret}-rotated` })
    await h.put(`/v1/llms/${id}`, t.key, { secret, temperature: 9 })
    await h.put(`/v1/llms/${id}`, t.key, { secret, bogus: 1 })
    await h.request('PUT', `/v1/llms/${id}`, { key: t.key, raw: `{"secret": "${secret}", }` })
    await h.put(`/v1/llms/${id}`, t.readKey, { secret })
    await h.get(`/v1/llms/${id}`, t.key)
    await h.get('/v1/llms', t.key)
    await h.post('/v1/llms', t.key, validLlm({ secret, urls: [] }))
    await h.delete(`/v1/llms/${id}`, t.key)
    const everything = [...h.replies, ...h.logs].join('\n')
    expect(h.replies.length).toBeGreaterThan(8)
    expect(h.logs.length).toBeGreaterThan(8)
    expect(everything).not.toContain(secret)
    // The API key is a credential too: it must not be logged either.
    expect(h.logs.join('\n')).not.toContain(t.key)
    // Nor is the secret in any column of any table, nor (SQLite) anywhere in the database files.
    const db = h.requireStorage().db
    for (const table of ['llms', 'organizations', 'api_keys'] as const) {
      const rows = await db.selectFrom(table).selectAll().execute()
      expect(JSON.stringify(rows), table).not.toContain(secret)
      // API keys are stored only as hashes (contract section 2).
      expect(JSON.stringify(rows), table).not.toContain(t.key)
    }
    if (h.database.config.dialect === 'sqlite') {
      const { path } = h.database.config
      for (const file of [path, `${path}-wal`]) {
        if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(secret)), file).toBe(false)
      }
    }
  })

  test('the stored value is sealed (AES-256-GCM), not plain, and bound to its record', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { secret: 'sk-sealed-check-99' })
    const other = await h.createLlm(t.key)
    const stored = await h.stored(llm.id)
    expect(stored?.sealedSecret).toMatch(/^v1\.[0-9a-f]{16}\./)
    expect(stored?.sealedSecret).not.toContain('sk-sealed-check-99')
    expect(h.box.open(stored?.sealedSecret ?? '', llm.id)).toBe('sk-sealed-check-99')
    expect(() => h.box.open(stored?.sealedSecret ?? '', other.id)).toThrow()
  })
})

describe('around the API', () => {
  test('/healthz answers 200 and /readyz answers 200 while the database is reachable, without auth', async () => {
    expect((await h.get('/healthz')).body).toEqual({ status: 'ok' })
    expect((await h.get('/readyz')).body).toEqual({ status: 'ready' })
  })

  test('/openapi.json is OpenAPI 3.1 with every operation, the LLM component and bearer security', async () => {
    const reply = await h.get('/openapi.json')
    expect(reply.status).toBe(200)
    const doc = reply.body
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/healthz',
      '/readyz',
      '/v1/llms',
      '/v1/llms/{id}',
      '/v1/llms/{id}/check',
      '/v1/llms/{id}/history',
      '/v1/llms/{id}/restore',
      '/v1/llms/{id}/versions',
      '/v1/llms/{id}/versions/{from}/diff/{to}',
      '/v1/llms/{id}/versions/{version}',
    ])
    expect(Object.keys(doc.paths['/v1/llms/{id}']).sort()).toEqual(['delete', 'get', 'put'])
    expect(doc.paths['/v1/llms/{id}'].put.operationId).toBe('updateLlm')
    expect(doc.components.schemas.LLM.properties.temperature.type).toEqual(['number', 'null'])
    expect(doc.components.schemas.LLM.properties).not.toHaveProperty('secret')
    expect(doc.components.securitySchemes.BearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
    const update = doc.paths['/v1/llms/{id}'].put.requestBody.content['application/json'].schema
    expect(update.additionalProperties).toBe(false)
    expect(update.properties.secret.writeOnly).toBe(true)
    expect(update.properties.temperature.maximum).toBe(2)
  })

  test('/docs serves a browsable reference', async () => {
    const reply = await h.request('GET', '/docs/')
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toMatch(/text\/html/)
  })
})

describe('faults', () => {
  test('a failure inside answers 500 "Server error" with nothing of its cause, and logs it with the request id', async () => {
    const broken = await startHarness()
    try {
      const t = await broken.tenant()
      // Close the database under the running server: every query now fails.
      await broken.requireStorage().db.destroy()
      const reply = await broken.get('/v1/llms/anything', undefined)
      expect(reply.status).toBe(401)
      const failed = await broken.request('GET', '/v1/llms', { key: t.key })
      expect([500, 503]).toContain(failed.status)
      expect(Object.keys(failed.body).sort()).toEqual(['code', 'error', 'message', 'requestId', 'statusCode'])
      expect(failed.body.code).toMatch(/^(server_error|database_unavailable)$/)
      expect(failed.body.requestId).toBe(failed.headers.get('x-request-id'))
      expect(failed.body.message).toMatch(/^(Server error|Database unavailable, try again shortly)$/)
      const requestId = failed.headers.get('x-request-id') ?? ''
      const logged = broken.logs.filter((line) => line.includes(requestId) && line.includes('"level":50'))
      expect(logged.length).toBe(1)
    } finally {
      await broken.app?.close()
      await broken.database.drop()
    }
  })
})
