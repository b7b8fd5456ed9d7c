import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness, type Tenant } from '../../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

const DEFAULTS = 4

/** A tenant with `count` LLMs created one after the other (so newest-first order is known). */
async function tenantWith(count: number, name = (i: number) => `LLM ${i}`): Promise<{ t: Tenant; ids: string[] }> {
  const t = await h.tenant()
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push((await h.createLlm(t.key, { displayName: name(i) })).id)
  return { t, ids }
}

const own = '&includeDefaults=false'

describe('GET /v1/llms: pagination', () => {
  test('an organization with nothing of its own sees the defaults; without them, an empty page with lastPage 1', async () => {
    const t = await h.tenant()
    const all = await h.get('/v1/llms', t.key)
    expect(all.status).toBe(200)
    expect(all.body.meta.total).toBe(DEFAULTS)
    expect(all.body.data.every((l: any) => l.isDefault)).toBe(true)
    const empty = await h.get(`/v1/llms?page=1${own}`, t.key)
    expect(empty.body).toEqual({
      data: [],
      meta: { total: 0, lastPage: 1, currentPage: 1, perPage: 10, prev: null, next: null },
    })
  })

  test('defaults are page 1, perPage 10, includeDefaults true', async () => {
    const { t } = await tenantWith(12)
    const reply = await h.get('/v1/llms', t.key)
    expect(reply.body.meta).toEqual({ total: 12 + DEFAULTS, lastPage: 2, currentPage: 1, perPage: 10, prev: null, next: 2 })
    expect(reply.body.data).toHaveLength(10)
  })

  test('an exact multiple of perPage: 20 records in pages of 10 make lastPage 2, and page 2 has no next', async () => {
    const { t, ids } = await tenantWith(20)
    const page2 = await h.get(`/v1/llms?page=2&perPage=10${own}`, t.key)
    expect(page2.body.meta).toEqual({ total: 20, lastPage: 2, currentPage: 2, perPage: 10, prev: 1, next: null })
    expect(page2.body.data.map((l: any) => l.id)).toEqual(ids.slice(0, 10).reverse())
  })

  test('a page past the end returns an empty data with the right meta', async () => {
    const { t } = await tenantWith(3)
    const reply = await h.get(`/v1/llms?page=5&perPage=2${own}`, t.key)
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({
      data: [],
      meta: { total: 3, lastPage: 2, currentPage: 5, perPage: 2, prev: 2, next: null },
    })
  })

  test('order is newest first, ties broken by id, and stable across pages', async () => {
    const { t, ids } = await tenantWith(7)
    const seen: string[] = []
    for (let page = 1; page <= 3; page++) {
      const reply = await h.get(`/v1/llms?page=${page}&perPage=3${own}`, t.key)
      seen.push(...reply.body.data.map((l: any) => l.id))
    }
    expect(seen).toEqual([...ids].reverse())
    // Same createdAt (the seeded defaults): ordered by id, descending.
    const defaults = (await h.get('/v1/llms?perPage=100', (await h.tenant()).key)).body.data.map((l: any) => l.id)
    expect(defaults).toEqual([...defaults].sort().reverse())
  })

  test('perPage=100 is accepted; perPage=101 answers 400 naming perPage', async () => {
    const { t } = await tenantWith(2)
    expect((await h.get('/v1/llms?perPage=100', t.key)).body.meta.perPage).toBe(100)
    const reply = await h.get('/v1/llms?perPage=101', t.key)
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'invalid_query',
      message: 'Invalid query parameters',
      requestId: reply.headers.get('x-request-id'),
      details: [{ field: 'perPage', message: 'must be <= 100' }],
    })
  })

  test.each([
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=1.5', 'page'],
    ['page=abc', 'page'],
    ['page=', 'page'],
    ['perPage=0', 'perPage'],
    ['includeDefaults=yes', 'includeDefaults'],
    ['page=1&page=2', 'page'],
    [`search=${'s'.repeat(256)}`, 'search'],
  ])('the query %s answers 400 naming %s', async (query, field) => {
    const t = await h.tenant()
    const reply = await h.get(`/v1/llms?${query}`, t.key)
    expect(reply.status).toBe(400)
    expect(reply.body.details.map((d: any) => d.field)).toEqual([field])
  })

  test('a known parameter given twice answers 400 saying so; an unknown one, repeated or not, is ignored', async () => {
    const { t } = await tenantWith(2)
    const reply = await h.get('/v1/llms?search=a&perPage=1&page=1&perPage=2&search=b&_=1&_=2', t.key)
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([
      { field: 'perPage', message: 'is given more than once' },
      { field: 'search', message: 'is given more than once' },
    ])
    const history = await h.get(`/v1/llms/${(await h.get(`/v1/llms?perPage=1${own}`, t.key)).body.data[0].id}/history?page=1&page=1`, t.key)
    expect([history.status, history.body.details]).toEqual([400, [{ field: 'page', message: 'is given more than once' }]])
    expect((await h.get(`/v1/llms?perPage=1&_=1&_=2${own}`, t.key)).body.meta).toMatchObject({ total: 2, perPage: 1 })
  })
})

describe('GET /v1/llms: search and filters', () => {
  test('search is a case-insensitive substring of displayName, modelName or description', async () => {
    const t = await h.tenant()
    const a = await h.createLlm(t.key, { displayName: 'Support Bot', modelName: 'gpt-4o', description: null })
    const b = await h.createLlm(t.key, { displayName: 'Sales', modelName: 'CLAUDE-sonnet', description: null })
    const c = await h.createLlm(t.key, { displayName: 'Other', modelName: 'x', description: 'Handles SUPPORT tickets' })
    const ids = async (q: string) =>
      (await h.get(`/v1/llms?search=${encodeURIComponent(q)}${own}`, t.key)).body.data.map((l: any) => l.id)
    expect(await ids('support')).toEqual([c.id, a.id])
    expect(await ids('claude')).toEqual([b.id])
    expect(await ids('nothing-like-this')).toEqual([])
  })

  test('search follows an update of each searched field: the new text is found, the old is not', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { displayName: 'Alpha desk', modelName: 'model-one', description: 'first words' })
    const ids = async (q: string) =>
      (await h.get(`/v1/llms?search=${encodeURIComponent(q)}${own}`, t.key)).body.data.map((l: any) => l.id)
    for (const [field, before, after] of [
      ['description', 'first words', 'second words'],
      ['modelName', 'model-one', 'model-two'],
      ['displayName', 'Alpha desk', 'Beta desk'],
    ] as const) {
      expect((await h.put(`/v1/llms/${llm.id}`, t.key, { [field]: after })).status).toBe(200)
      expect(await ids(after)).toEqual([llm.id])
      expect(await ids(before)).toEqual([])
    }
  })

  test('% and _ in search are literal characters, not wildcards', async () => {
    const t = await h.tenant()
    const pct = await h.createLlm(t.key, { displayName: '100% accurate' })
    const und = await h.createLlm(t.key, { displayName: 'snake_case model' })
    await h.createLlm(t.key, { displayName: '1000 accurate' })
    await h.createLlm(t.key, { displayName: 'snakeXcase model' })
    const ids = async (q: string) =>
      (await h.get(`/v1/llms?search=${encodeURIComponent(q)}${own}`, t.key)).body.data.map((l: any) => l.id)
    expect(await ids('0%')).toEqual([pct.id])
    expect(await ids('%')).toEqual([pct.id])
    expect(await ids('e_c')).toEqual([und.id])
    expect(await ids('_')).toEqual([und.id])
    expect(await ids('\\')).toEqual([])
  })

  test('search paginates: meta.total counts the matches, not the whole organization', async () => {
    const { t } = await tenantWith(6, (i) => (i % 2 === 0 ? `even ${i}` : `odd ${i}`))
    const reply = await h.get(`/v1/llms?search=even&perPage=2${own}`, t.key)
    expect(reply.body.meta).toMatchObject({ total: 3, lastPage: 2, next: 2 })
  })

  test('search pages hold the matches newest first, a global LLM of another organization among them; past the last page, none, with the exact total', async () => {
    const tag = `paged${Date.now().toString(36)}`
    const owner = await h.tenant()
    const { t, ids } = await tenantWith(5, (i) => (i === 2 ? `other ${i}` : `${tag} ${i}`))
    const global = await h.createLlm(owner.key, { displayName: `${tag} global` })
    await h.llmRepository.modify(global.id, (current) => (current === undefined ? null : { ...current, isGlobal: true }), 'operator')
    const pages = []
    for (const page of [1, 2, 3, 4]) pages.push((await h.get(`/v1/llms?search=${tag}&perPage=2&page=${page}`, t.key)).body)
    expect(pages.map((p) => p.data.map((l: any) => l.id))).toEqual([[global.id, ids[4]], [ids[3], ids[1]], [ids[0]], []])
    expect(pages.map((p) => [p.meta.total, p.meta.lastPage])).toEqual([[5, 3], [5, 3], [5, 3], [5, 3]])
  })

  test('includeDefaults=false hides the built-in defaults; true shows them', async () => {
    const { t } = await tenantWith(1)
    const without = await h.get('/v1/llms?includeDefaults=false', t.key)
    expect(without.body.data.some((l: any) => l.isDefault)).toBe(false)
    const withDefaults = await h.get('/v1/llms?includeDefaults=true&perPage=100', t.key)
    expect(withDefaults.body.data.filter((l: any) => l.isDefault)).toHaveLength(DEFAULTS)
  })

  test('no secret, sealed or plain, appears in a listed record', async () => {
    const t = await h.tenant()
    await h.createLlm(t.key, { secret: 'sk-list-secret-777' })
    const reply = await h.get('/v1/llms', t.key)
    expect(reply.text).not.toContain('sk-list-secret-777')
    expect(reply.text).not.toContain('sealed')
    expect(reply.text).not.toContain('"v1.')
    expect(reply.body.data[0]).toMatchObject({ hasSecret: true })
  })
})
