/**
 * The shared security suite: authentication, permissions and tenant isolation, table-driven over
 * every /v1 route, so a new route cannot forget them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, validLlm, type Harness } from '../../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

const DEFAULT_ID = 'a7cf662c-2ace-4de1-a21e-ef0fbf144bb7'

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: (id: string) => string
  permission: 'llms:read' | 'llms:write'
  body?: unknown
  /** The path as /openapi.json names it, where it has more parameters than the id. */
  documented?: string
}

const ROUTES: Route[] = [
  { method: 'GET', path: () => '/v1/llms', permission: 'llms:read' },
  { method: 'POST', path: () => '/v1/llms', permission: 'llms:write', body: validLlm() },
  { method: 'GET', path: (id) => `/v1/llms/${id}`, permission: 'llms:read' },
  { method: 'PUT', path: (id) => `/v1/llms/${id}`, permission: 'llms:write', body: { temperature: 0.5 } },
  { method: 'DELETE', path: (id) => `/v1/llms/${id}`, permission: 'llms:write' },
  { method: 'GET', path: (id) => `/v1/llms/${id}/history`, permission: 'llms:read' },
  { method: 'GET', path: (id) => `/v1/llms/${id}/versions`, permission: 'llms:read' },
  { method: 'GET', path: (id) => `/v1/llms/${id}/versions/1`, permission: 'llms:read', documented: '/v1/llms/{id}/versions/{version}' },
  { method: 'GET', path: (id) => `/v1/llms/${id}/versions/1/diff/1`, permission: 'llms:read', documented: '/v1/llms/{id}/versions/{from}/diff/{to}' },
  { method: 'POST', path: (id) => `/v1/llms/${id}/restore`, permission: 'llms:write', body: { version: 1 } },
  { method: 'POST', path: (id) => `/v1/llms/${id}/check`, permission: 'llms:write', body: { mode: 'model' } },
  { method: 'GET', path: (id) => `/v1/llms/${id}/check`, permission: 'llms:read' },
]
const routeName = (r: Route) => `${r.method} ${r.documented ?? r.path('{id}')}`

test('the route table above covers every /v1 operation of /openapi.json, so a new route cannot skip this suite', async () => {
  const doc = (await h.get('/openapi.json')).body
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .filter(([path]) => path.startsWith('/v1'))
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
  expect(documented.length).toBeGreaterThan(0)
  expect(ROUTES.map(routeName).sort()).toEqual(documented.sort())
})

describe.each(ROUTES.map((r) => [routeName(r), r] as const))('%s: authentication', (_name, route) => {
  const badHeaders: [string, () => Promise<Record<string, string>>][] = [
    ['a missing Authorization header', async () => ({})],
    ['the Basic scheme', async () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['a malformed key', async () => ({ authorization: 'Bearer not-a-key' })],
    ['an unknown well-formed key', async () => ({ authorization: `Bearer llmr_0123456789abcdef_${'A'.repeat(43)}` })],
    ['a known key id with the wrong secret part', async () => {
      const t = await h.tenant()
      const id = t.key.slice(5, 21)
      return { authorization: `Bearer llmr_${id}_${'B'.repeat(43)}` }
    }],
    ['a revoked key', async () => {
      const t = await h.tenant()
      expect(await h.orgs.revokeApiKey(t.keyId)).toBe(true)
      return { authorization: `Bearer ${t.key}` }
    }],
  ]
  test.each(badHeaders)('%s answers 401 with WWW-Authenticate: Bearer, the same body every time', async (_what, make) => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const before = await h.stored(llm.id)
    const reply = await h.request(route.method, route.path(llm.id), { body: route.body, headers: await make() })
    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe('Bearer')
    expect(reply.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'unauthenticated',
      message: 'Invalid or missing API key',
      requestId: reply.headers.get('x-request-id'),
    })
    expect(await h.stored(llm.id)).toEqual(before)
  })
})

describe('permissions', () => {
  test.each(ROUTES.filter((r) => r.permission === 'llms:write').map((r) => [routeName(r), r] as const))(
    'a read-only key on %s answers 403 and changes nothing',
    async (_name, route) => {
      const t = await h.tenant()
      const llm = await h.createLlm(t.key)
      const before = await h.stored(llm.id)
      const reply = await h.request(route.method, route.path(llm.id), { key: t.readKey, body: route.body })
      expect(reply.status).toBe(403)
      expect(reply.body).toMatchObject({ code: 'permission_denied', message: 'API key lacks the required permission' })
      expect(await h.stored(llm.id)).toEqual(before)
      const listed = await h.get('/v1/llms?perPage=100&includeDefaults=false', t.key)
      expect(listed.body.meta.total).toBe(1)
    },
  )

  test('a read-only key may list and get', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    expect((await h.get('/v1/llms', t.readKey)).status).toBe(200)
    expect((await h.get(`/v1/llms/${llm.id}`, t.readKey)).status).toBe(200)
  })

  test('a permission check comes before body validation: a read-only key with a bad body gets 403', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.put(`/v1/llms/${llm.id}`, t.readKey, { temperature: 'hot' })
    expect(reply.status).toBe(403)
  })
})

describe('visibility (contract section 1)', () => {
  test("its organization's own LLM: GET 200, PUT 200, DELETE 204", async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    expect((await h.get(`/v1/llms/${llm.id}`, t.key)).status).toBe(200)
    expect((await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1 })).status).toBe(200)
    expect((await h.delete(`/v1/llms/${llm.id}`, t.key)).status).toBe(204)
  })

  test('a default LLM: GET 200; PUT 403 "Cannot update default LLMs"; DELETE 403 "Cannot delete default LLMs"', async () => {
    const t = await h.tenant()
    const before = await h.stored(DEFAULT_ID)
    expect((await h.get(`/v1/llms/${DEFAULT_ID}`, t.key)).status).toBe(200)
    const put = await h.put(`/v1/llms/${DEFAULT_ID}`, t.key, { temperature: 0.5 })
    expect([put.status, put.body.code, put.body.message]).toEqual([403, 'default_llm_readonly', 'Cannot update default LLMs'])
    const del = await h.delete(`/v1/llms/${DEFAULT_ID}`, t.key)
    expect([del.status, del.body.code, del.body.message]).toEqual([403, 'default_llm_readonly', 'Cannot delete default LLMs'])
    expect(await h.stored(DEFAULT_ID)).toEqual(before)
  })

  test.each(['ANAM_LLAMA_v3_3_70B_V1', 'CUSTOMER_CLIENT_V1', '0934d97d-0c3a-4f33-91b0-5e136a0ef466'])(
    'the legacy default %s is readable by every organization',
    async (id) => {
      const t = await h.tenant()
      const reply = await h.get(`/v1/llms/${id}`, t.key)
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ id, isDefault: true, isGlobal: true, createdByOrganizationId: null })
    },
  )

  test('a global LLM of another organization: GET 200, PUT 403, DELETE 403, and it is listed', async () => {
    const owner = await h.tenant()
    const other = await h.tenant()
    const llm = await h.createLlm(owner.key)
    await h.llmRepository.modify(llm.id, (current) => (current === undefined ? null : { ...current, isGlobal: true }), 'operator')
    const before = await h.stored(llm.id)
    expect((await h.get(`/v1/llms/${llm.id}`, other.key)).status).toBe(200)
    const put = await h.put(`/v1/llms/${llm.id}`, other.key, { temperature: 0.5 })
    expect([put.status, put.body.code, put.body.message]).toEqual([403, 'not_owner', 'Cannot update LLMs owned by another organization'])
    const del = await h.delete(`/v1/llms/${llm.id}`, other.key)
    expect([del.status, del.body.code]).toEqual([403, 'not_owner'])
    expect(await h.stored(llm.id)).toEqual(before)
    const listed = await h.get('/v1/llms?perPage=100&includeDefaults=false', other.key)
    expect(listed.body.data.map((l: any) => l.id)).toContain(llm.id)
  })

  test("another organization's private LLM: 404 for GET, PUT and DELETE, exactly as for an absent id", async () => {
    const owner = await h.tenant()
    const other = await h.tenant()
    const llm = await h.createLlm(owner.key)
    const before = await h.stored(llm.id)
    for (const [method, body, suffix] of [
      ['GET'],
      ['PUT', { temperature: 0.5 }],
      ['DELETE'],
      ['GET', undefined, '/history'],
      ['GET', undefined, '/versions'],
      ['GET', undefined, '/versions/1'],
      ['GET', undefined, '/versions/1/diff/1'],
      ['POST', { version: 1 }, '/restore'],
    ] as const) {
      const hidden = await h.request(method, `/v1/llms/${llm.id}${suffix ?? ''}`, { key: other.key, body })
      const absent = await h.request(method, `/v1/llms/00000000-0000-4000-8000-000000000000${suffix ?? ''}`, { key: other.key, body })
      expect(hidden.status).toBe(404)
      expect({ ...hidden.body, requestId: undefined }).toEqual({ ...absent.body, requestId: undefined })
    }
    // Even with a stale If-Match, a hidden record answers 404 rather than 412.
    expect((await h.put(`/v1/llms/${llm.id}`, other.key, {}, { 'if-match': '"999"' })).status).toBe(404)
    expect(await h.stored(llm.id)).toEqual(before)
    const listed = await h.get('/v1/llms?perPage=100', other.key)
    expect(listed.body.data.map((l: any) => l.id)).not.toContain(llm.id)
    const searched = await h.get(`/v1/llms?search=${encodeURIComponent(llm.displayName)}`, other.key)
    expect(searched.body.data.map((l: any) => l.id)).not.toContain(llm.id)
  })

  test('an absent or deleted LLM: 404 for GET, PUT and DELETE', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    expect((await h.delete(`/v1/llms/${llm.id}`, t.key)).status).toBe(204)
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const reply = await h.request(method, `/v1/llms/${llm.id}`, {
        key: t.key,
        body: method === 'PUT' ? { temperature: 1 } : undefined,
      })
      expect([reply.status, reply.body.code, reply.body.message]).toEqual([404, 'not_found', 'LLM not found'])
    }
  })
})
