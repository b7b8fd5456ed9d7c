/**
 * Each backend's fast search answers exactly what the query builder's path answers — the same
 * matches in the same order with the same total — for any names and any term, `%`, `_`, `\` and
 * non-ASCII text included, with and without the built-in defaults: on SQLite files the in-memory
 * index, on PostgreSQL its one search statement (PG_SEARCH_PAGE_SQL).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness, type Tenant } from '../testing/harness.js'
import { KyselyLlmRepository } from './llm-repository.js'

let h: Harness
let t: Tenant
let names: string[]
beforeAll(async () => {
  h = await startHarness()
  t = await h.tenant()
  names = ['50% off', 'under_score', 'back\\slash', 'Ünïcödé Bot', 'İstanbul', 'GPT-4o support', 'gpt-4o Support', 'a', 'A%_\\b', 'ß straße']
  for (const displayName of names) await h.createLlm(t.key, { displayName, description: `about ${displayName}` })
})
afterAll(() => stopHarness(h))

test('the fast search and the query builder agree on every term', async () => {
  const storage = h.storage!
  const indexed = new KyselyLlmRepository(storage)
  const plain = new KyselyLlmRepository({ ...storage, reader: undefined, pg: undefined })
  const fragment = fc.oneof(
    fc.constantFrom(...names).chain((name) => fc.tuple(fc.nat(name.length), fc.nat(4)).map(([start, n]) => name.slice(start, start + n + 1))),
    fc.string({ maxLength: 4 }),
    fc.constantFrom('%', '_', '\\', '%_', 'bot', 'BOT', 'i̇', 'ss', '\u001f', 'about'),
  )
  await fc.assert(
    fc.asyncProperty(fragment, fc.boolean(), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5 }), async (search, includeDefaults, offset, limit) => {
      const query = { organizationId: t.organizationId, search, includeDefaults, offset, limit }
      const [a, b] = await Promise.all([indexed.list(query), plain.list(query)])
      expect({ total: a.total, ids: a.items.map((l) => l.id) }).toEqual({ total: b.total, ids: b.items.map((l) => l.id) })
    }),
    { numRuns: 300 },
  )
})
