/** The edges real clients hit: bodiless requests with a Content-Type, other methods, trailing slashes, HEAD. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, validLlm, type Harness } from '../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

describe('a request without a body is never refused for its headers', () => {
  test.each(['application/json', 'text/plain', 'application/x-www-form-urlencoded'])(
    'DELETE with Content-Type %s and no body answers 204 and deletes',
    async (type) => {
      const t = await h.tenant()
      const llm = await h.createLlm(t.key)
      const reply = await h.request('DELETE', `/v1/llms/${llm.id}`, { key: t.key, headers: { 'content-type': type } })
      expect(reply.status, reply.text).toBe(204)
      expect(await h.stored(llm.id)).toBeUndefined()
    },
  )

  test.each(['application/json', 'text/plain'])('GET with Content-Type %s and no body answers 200', async (type) => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const one = await h.request('GET', `/v1/llms/${llm.id}`, { key: t.key, headers: { 'content-type': type } })
    expect([one.status, one.body.id]).toEqual([200, llm.id])
    const list = await h.request('GET', '/v1/llms', { key: t.key, headers: { 'content-type': type, 'content-length': '0' } })
    expect(list.status).toBe(200)
  })

  test('a body on DELETE is still refused: 400 bad_request, and the LLM stays', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.request('DELETE', `/v1/llms/${llm.id}`, { key: t.key, body: {} })
    expect(reply.status).toBe(400)
    expect(reply.body).toMatchObject({ code: 'bad_request', message: 'DELETE takes no request body' })
    expect((await h.stored(llm.id))?.id).toBe(llm.id)
  })

  test('a PUT without a body is still a 400 naming the body', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, headers: { 'content-type': 'application/json' } })
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([{ field: 'body', message: 'must be a JSON object' }])
  })
})

describe('methods and paths', () => {
  test.each([
    ['PATCH', '/v1/llms/{id}', 'DELETE, GET, HEAD, PUT'],
    ['POST', '/v1/llms/{id}', 'DELETE, GET, HEAD, PUT'],
    ['PUT', '/v1/llms', 'GET, HEAD, POST'],
    ['DELETE', '/v1/llms', 'GET, HEAD, POST'],
    ['POST', '/v1/llms/{id}/history', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s, in the error shape, and changes nothing', async (method, path, allow) => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const before = await h.stored(llm.id)
    const reply = await h.request(method, path.replace('{id}', llm.id), { key: t.key, body: { temperature: 0.1 } })
    expect(reply.status).toBe(405)
    expect(reply.headers.get('allow')).toBe(allow)
    expect(reply.body).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      code: 'method_not_allowed',
      message: `${method} is not allowed here; use ${allow}`,
      requestId: reply.headers.get('x-request-id'),
    })
    expect(await h.stored(llm.id)).toEqual(before)
  })

  test('an unknown path is still a 404 route_not_found', async () => {
    const reply = await h.request('PATCH', '/v2/nothing')
    expect([reply.status, reply.body.code]).toEqual([404, 'route_not_found'])
  })

  test("a file missing under a route that serves GET (the reference UI's /docs/static/*) is a 404, not a 405 telling GET to use GET", async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const reply = await h.request(method, '/docs/static/nothing-here.css')
      expect([method, reply.status, reply.headers.get('allow')]).toEqual([method, 404, null])
      if (method === 'GET') expect(reply.body.code).toBe('route_not_found')
    }
    expect((await h.request('DELETE', '/docs/static/nothing-here.css')).status).toBe(405)
  })

  test('GET /v1/llms/ (trailing slash) answers like /v1/llms', async () => {
    const t = await h.tenant()
    await h.createLlm(t.key)
    const plain = await h.get('/v1/llms?perPage=5', t.key)
    const slashed = await h.get('/v1/llms/?perPage=5', t.key)
    expect(slashed.status).toBe(200)
    expect(slashed.body).toEqual(plain.body)
  })

  test('HEAD works wherever GET does: same status and headers, no body', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    for (const path of ['/v1/llms', `/v1/llms/${llm.id}`, `/v1/llms/${llm.id}/history`, '/healthz', '/readyz', '/openapi.json']) {
      const get = await h.get(path, t.key)
      const head = await h.request('HEAD', path, { key: t.key })
      expect([path, head.status]).toEqual([path, get.status])
      expect(head.text).toBe('')
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'))
    }
    const head = await h.request('HEAD', `/v1/llms/${llm.id}`, { key: t.key })
    expect(head.headers.get('etag')).toBe('"1"')
    expect((await h.request('HEAD', '/v1/llms/00000000-0000-4000-8000-000000000000', { key: t.key })).status).toBe(404)
    expect((await h.request('HEAD', '/v1/llms')).status).toBe(401)
  })
})

describe('a compressed body', () => {
  test.each(['gzip', 'br', 'deflate', 'GZIP', 'identity, gzip'])('Content-Encoding: %s answers 415 with Accept-Encoding: identity, and changes nothing', async (coding) => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const before = await h.stored(llm.id)
    // The body is plain JSON either way: a mislabelled body is refused too, rather than stored as something it says it is not.
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, body: { temperature: 0.3 }, headers: { 'content-encoding': coding } })
    expect([reply.status, reply.body.code, reply.headers.get('accept-encoding')]).toEqual([415, 'unsupported_media_type', 'identity'])
    expect(reply.body.message).toBe('Request bodies are taken uncompressed: send it without Content-Encoding')
    expect(await h.stored(llm.id)).toEqual(before)
    // Authentication still comes first.
    const anonymous = await h.request('PUT', `/v1/llms/${llm.id}`, { body: { temperature: 0.3 }, headers: { 'content-encoding': coding } })
    expect(anonymous.status).toBe(401)
  })

  test('Content-Encoding: identity is a body as any other; a request without a body ignores the header', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const put = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, body: { temperature: 0.3 }, headers: { 'content-encoding': 'identity' } })
    expect([put.status, put.body.temperature]).toEqual([200, 0.3])
    expect((await h.request('GET', `/v1/llms/${llm.id}`, { key: t.key, headers: { 'content-encoding': 'gzip' } })).status).toBe(200)
  })
})

describe('URLs a strict reader refuses, in the error shape', () => {
  test.each(['%zz', '%E2%82', '%FF', 'abc%'])('a path escape that is not UTF-8 (/v1/llms/%s) answers 400 bad_request with a request id and a log line', async (escape) => {
    const t = await h.tenant()
    const reply = await h.get(`/v1/llms/${escape}`, t.key)
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'bad_request',
      message: 'The URL path has a percent-escape that is not UTF-8 (write % itself as %25)',
      requestId: reply.headers.get('x-request-id'),
    })
    expect(reply.text).not.toContain(escape)
    await expect.poll(() => h.logLine(reply.headers.get('x-request-id'))).toMatchObject({ statusCode: 400, method: 'GET' })
  })

  test('an id of 3,000 characters is answered by the schema, naming the field, not by the router', async () => {
    const t = await h.tenant()
    const reply = await h.get(`/v1/llms/${'a'.repeat(3000)}`, t.key)
    expect([reply.status, reply.body.code, reply.body.details]).toEqual([400, 'invalid_path', [{ field: 'id', message: 'must NOT have more than 255 characters' }]])
    expect(reply.body.requestId).toBe(reply.headers.get('x-request-id'))
  })

  test.each(['%zz', '%E2%82', '%FF', '%ED%A0%80', '100%', 'a%2'])('?search=%s (escapes that are not UTF-8) answers 400 naming search', async (value) => {
    const t = await h.tenant()
    const reply = await h.get(`/v1/llms?search=${value}&perPage=0`, t.key)
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([
      { field: 'search', message: 'is not valid percent-encoding of UTF-8 (write % itself as %25)' },
      { field: 'perPage', message: 'must be >= 1' },
    ])
  })

  test('a literal % is searched for when written %25; an unknown parameter with a bad escape stays ignored', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { displayName: 'Discount 100%FF' })
    await h.createLlm(t.key, { displayName: 'Discount 100' })
    const found = await h.get('/v1/llms?search=100%25FF&includeDefaults=false&_=%zz', t.key)
    expect(found.status, found.text).toBe(200)
    expect(found.body.data.map((l: { id: string }) => l.id)).toEqual([llm.id])
  })

  test.each(['0x2', '0b10', '1e1', '+2', '%202', '2%20', '2.0', '2.'])('?perPage=%s (not decimal digits) answers 400 "must be an integer"', async (value) => {
    const t = await h.tenant()
    for (const path of ['/v1/llms', '/v1/llms/CUSTOMER_CLIENT_V1/versions']) {
      const reply = await h.get(`${path}?perPage=${value}`, t.key)
      expect([path, reply.status, reply.body.details]).toEqual([path, 400, [{ field: 'perPage', message: 'must be an integer' }]])
    }
  })

  test('decimal digits still page, leading zeros too', async () => {
    const t = await h.tenant()
    const reply = await h.get('/v1/llms?page=01&perPage=002', t.key)
    expect([reply.status, reply.body.meta.currentPage, reply.body.meta.perPage]).toEqual([200, 1, 2])
  })
})

describe('all problems at once', () => {
  test('POST {"displayName":"x"} names llmFormat and every field an upstream format needs, in one 400', async () => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, { displayName: 'x' })
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([
      { field: 'llmFormat', message: 'is required' },
      { field: 'urls', message: 'at least one URL is required for formats that call an upstream' },
      { field: 'modelName', message: 'is required for formats that call an upstream' },
      { field: 'secret', message: 'is required for formats that call an upstream' },
    ])
  })

  test('POST {} names displayName too', async () => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, {})
    expect(reply.body.details.map((d: { field: string }) => d.field)).toEqual(['displayName', 'llmFormat', 'urls', 'modelName', 'secret'])
  })

  test('with the format given, its own requirements and every other problem are listed together', async () => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, { displayName: 'x', llmFormat: 'anthropic', temperature: 5, bogus: 1 })
    expect(reply.body.details).toEqual([
      { field: 'urls', message: 'at least one URL is required for llmFormat anthropic' },
      { field: 'modelName', message: 'is required for llmFormat anthropic' },
      { field: 'secret', message: 'is required for llmFormat anthropic' },
      { field: 'bogus', message: 'is not a known field' },
      { field: 'temperature', message: 'must be <= 2' },
    ])
  })

  test('a format without upstream needs only displayName and llmFormat', async () => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, { displayName: 'x', llmFormat: 'none', temperature: 5 })
    expect(reply.body.details).toEqual([{ field: 'temperature', message: 'must be <= 2' }])
    expect((await h.post('/v1/llms', t.key, validLlm({ llmFormat: 'none', urls: undefined, modelName: undefined, secret: undefined }))).status).toBe(201)
  })

  test('nothing is stored by a rejected create', async () => {
    const t = await h.tenant()
    await h.post('/v1/llms', t.key, { displayName: 'x' })
    expect((await h.get('/v1/llms?includeDefaults=false', t.key)).body.meta.total).toBe(0)
  })
})
