/** The typed client against a running server: every operation, errors, paging, ETags, retries. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, validLlm, type Harness, type Tenant } from '../testing/harness.js'
import { startFakeUpstream } from '../testing/fake-upstream.js'
import { ApiError, ConnectionError, PROBLEM_EXPLANATIONS, createClient, type CreateLlmBody } from './index.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

async function clientOf(): Promise<{ t: Tenant; client: ReturnType<typeof createClient> }> {
  const t = await h.tenant()
  return { t, client: createClient({ baseUrl: h.baseUrl, apiKey: t.key }) }
}

const body = (overrides: Record<string, unknown> = {}) => validLlm(overrides) as CreateLlmBody

describe('llm-registry/client', () => {
  test('create, get, update, history, delete round trip, with ETags', async () => {
    const { client } = await clientOf()
    const created = await client.llms.create(body({ displayName: 'Client made' }))
    expect(created.data).toMatchObject({ displayName: 'Client made', hasSecret: true })
    expect(created.etag).toBe('"1"')
    const read = await client.llms.get(created.data.id)
    expect(read).toEqual(created)
    const updated = await client.llms.update(created.data.id, { temperature: 0.25 }, { ifMatch: read.etag })
    expect([updated.data.temperature, updated.etag]).toEqual([0.25, '"2"'])
    const history = await client.llms.history(created.data.id)
    expect(history.data.map((entry) => entry.action)).toEqual(['update', 'create'])
    expect(history.meta.total).toBe(2)
    await expect(client.llms.update(created.data.id, { temperature: 0.5 }, { ifNoneMatch: updated.etag })).rejects.toMatchObject({ statusCode: 412 })
    await expect(client.llms.delete(created.data.id, { ifNoneMatch: '*' })).rejects.toMatchObject({ statusCode: 412 })
    await client.llms.delete(created.data.id, { ifMatch: updated.etag, ifNoneMatch: read.etag })
    await expect(client.llms.get(created.data.id)).rejects.toMatchObject({ statusCode: 404, code: 'not_found' })
  })

  test('versions, one version, diff and restore (with ifMatch)', async () => {
    const { client } = await clientOf()
    const created = await client.llms.create(body({ temperature: 0.2 }))
    const changed = await client.llms.update(created.data.id, { temperature: 1.2 })
    expect((await client.llms.versions(created.data.id)).data.map((v) => v.version)).toEqual([2, 1])
    expect(await client.llms.version(created.data.id, 1)).toEqual({ ...created.data, version: 1 })
    expect((await client.llms.diff(created.data.id, 1, 2)).changes).toEqual([{ field: 'temperature', from: 0.2, to: 1.2 }])
    await expect(client.llms.restore(created.data.id, 1, { ifMatch: created.etag })).rejects.toMatchObject({ statusCode: 412 })
    const restored = await client.llms.restore(created.data.id, 1, { ifMatch: changed.etag })
    expect([restored.data.llm.temperature, restored.data.restoredFrom, restored.etag]).toEqual([0.2, 1, '"3"'])
  })

  test('check and lastCheck', async () => {
    const fake = await startFakeUpstream('sk-client-provider-0001')
    const checking = await startHarness({ upstream: { allowPrivate: true } })
    try {
      const t = await checking.tenant()
      const client = createClient({ baseUrl: checking.baseUrl, apiKey: t.key })
      const llm = await client.llms.create(body({ urls: [{ url: `${fake.url}/v1/chat/completions` }], modelName: 'ok', secret: 'sk-client-provider-0001' }))
      const result = await client.llms.check(llm.data.id, { mode: 'completion' })
      expect(result).toMatchObject({ ok: true, mode: 'completion', results: [{ ok: true, reply: 'Hello there' }] })
      expect(await client.llms.lastCheck(llm.data.id)).toEqual(result)
      expect(PROBLEM_EXPLANATIONS.unauthorized).toBe('The provider rejected the stored key: replace the secret.')
    } finally {
      await Promise.all([stopHarness(checking), fake.close()])
    }
  })

  test('a stale ifMatch is an ApiError 412 precondition_failed, and nothing changes', async () => {
    const { client } = await clientOf()
    const created = await client.llms.create(body())
    await client.llms.update(created.data.id, { temperature: 1 })
    const failure = await client.llms.update(created.data.id, { temperature: 0 }, { ifMatch: created.etag }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ApiError)
    expect(failure).toMatchObject({ statusCode: 412, code: 'precondition_failed', error: 'Precondition Failed' })
    expect((await client.llms.get(created.data.id)).data.temperature).toBe(1)
    await expect(client.llms.delete(created.data.id, { ifMatch: created.etag })).rejects.toMatchObject({ statusCode: 412 })
  })

  test('ApiError carries statusCode, error, code, message, details and the request id', async () => {
    const { client } = await clientOf()
    const failure = (await client.llms.create(body({ temperature: 5, bogus: 1 })).catch((e: unknown) => e)) as ApiError
    expect(failure).toBeInstanceOf(ApiError)
    expect(failure.statusCode).toBe(400)
    expect(failure.error).toBe('Bad Request')
    expect(failure.code).toBe('invalid_data')
    expect(failure.message).toBe('Invalid LLM data')
    expect(failure.details).toEqual([
      { field: 'bogus', message: 'is not a known field' },
      { field: 'temperature', message: 'must be <= 2' },
    ])
    expect(failure.requestId).toMatch(/^[0-9a-f-]{36}$/)
    const wrongKey = createClient({ baseUrl: h.baseUrl, apiKey: 'llmr_0000000000000000_' + 'A'.repeat(43) })
    await expect(wrongKey.llms.list()).rejects.toMatchObject({ statusCode: 401, code: 'unauthenticated' })
  })

  test('create with a chosen id keeps it; the same id again is 409 id_not_available', async () => {
    const { client } = await clientOf()
    const id = crypto.randomUUID()
    expect((await client.llms.create(body(), { id })).data.id).toBe(id)
    await expect(client.llms.create(body(), { id })).rejects.toMatchObject({ statusCode: 409, code: 'id_not_available' })
    const other = await clientOf()
    await expect(other.client.llms.create(body(), { id })).rejects.toMatchObject({ statusCode: 409, message: 'id not available' })
    await expect(client.llms.create(body(), { id: 'not-a-uuid' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_query',
      details: [{ field: 'id', message: 'must be a UUID' }],
    })
  })

  test('list pages with meta; listAll walks every page (250 records, 3 pages)', async () => {
    const { t, client } = await clientOf()
    const ids = new Set<string>()
    for (let i = 0; i < 250; i++) ids.add((await h.createLlm(t.key, { displayName: `Bulk ${i}` })).id)
    const page = await client.llms.list({ perPage: 10, page: 2, includeDefaults: false })
    expect(page.meta).toEqual({ total: 250, lastPage: 25, currentPage: 2, perPage: 10, prev: 1, next: 3 })
    const all = await client.llms.listAll({ includeDefaults: false })
    expect(all).toHaveLength(250)
    expect(new Set(all.map((llm) => llm.id))).toEqual(ids)
    expect((await client.llms.listAll({ search: 'bulk 24' })).map((llm) => llm.displayName).sort()).toEqual(
      ['Bulk 24', 'Bulk 240', 'Bulk 241', 'Bulk 242', 'Bulk 243', 'Bulk 244', 'Bulk 245', 'Bulk 246', 'Bulk 247', 'Bulk 248', 'Bulk 249'].sort(),
    )
  })

  test('nothing listening is a ConnectionError, not an ApiError', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'x' })
    await expect(client.llms.list()).rejects.toBeInstanceOf(ConnectionError)
  })
})

describe('retries of 429 and 503', () => {
  /** A real server in front of the service that answers 429 (Retry-After: 1) to the first request of each method. */
  async function refusingOnce(): Promise<{ url: string; seen: string[]; server: Server }> {
    const seen: string[] = []
    const refused = new Set<string>()
    const server = createServer(async (req, res) => {
      seen.push(req.method ?? '')
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      if (!refused.has(req.method ?? '')) {
        refused.add(req.method ?? '')
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1', 'x-request-id': 'refused-once' })
        res.end(JSON.stringify({ statusCode: 429, error: 'Too Many Requests', code: 'rate_limited', message: 'slow down', requestId: 'refused-once' }))
        return
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>
      const upstream = await fetch(`${h.baseUrl}${req.url}`, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined })
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers))
      res.end(Buffer.from(await upstream.arrayBuffer()))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server }
  }

  test('a GET answered 429 once is tried again after Retry-After and succeeds', async () => {
    const t = await h.tenant()
    const proxy = await refusingOnce()
    try {
      const client = createClient({ baseUrl: proxy.url, apiKey: t.key })
      const started = Date.now()
      const page = await client.llms.list()
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      expect(page.meta.total).toBe(4)
      expect(proxy.seen).toEqual(['GET', 'GET'])
    } finally {
      proxy.server.close()
    }
  })

  test('a POST is not retried unless asked: ApiError 429 with the refusal\'s request id; asked, it is', async () => {
    const t = await h.tenant()
    const proxy = await refusingOnce()
    try {
      const plain = createClient({ baseUrl: proxy.url, apiKey: t.key })
      await expect(plain.llms.create(body())).rejects.toMatchObject({ statusCode: 429, code: 'rate_limited', requestId: 'refused-once' })
      expect(proxy.seen).toEqual(['POST'])
      const eager = createClient({ baseUrl: proxy.url, apiKey: t.key, retry: { nonIdempotent: true } })
      expect((await eager.llms.create(body())).data.hasSecret).toBe(true)
      expect(proxy.seen).toEqual(['POST', 'POST'])
    } finally {
      proxy.server.close()
    }
  })

  test('retrying is bounded: attempts: 1 gives the 429 at once', async () => {
    const t = await h.tenant()
    const proxy = await refusingOnce()
    try {
      const client = createClient({ baseUrl: proxy.url, apiKey: t.key, retry: { attempts: 1 } })
      await expect(client.llms.list()).rejects.toMatchObject({ statusCode: 429 })
      expect(proxy.seen).toEqual(['GET'])
    } finally {
      proxy.server.close()
    }
  })
})
