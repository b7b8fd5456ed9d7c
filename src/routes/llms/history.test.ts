import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness } from '../../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

describe('GET /v1/llms/{id}/history', () => {
  test('records create and each update, newest first: who (key id), when, which fields, never a value', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { secret: 'sk-history-secret-1' })
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1.1, displayName: 'Renamed' })
    await h.put(`/v1/llms/${llm.id}`, t.key, { secret: 'sk-history-secret-2' })
    await h.put(`/v1/llms/${llm.id}`, t.key, {}) // no change, no entry
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 9 }) // rejected, no entry
    const reply = await h.get(`/v1/llms/${llm.id}/history`, t.readKey)
    expect(reply.status).toBe(200)
    expect(reply.body.meta).toEqual({ total: 3, lastPage: 1, currentPage: 1, perPage: 10, prev: null, next: null })
    const entries = reply.body.data
    expect(entries.map((e: any) => [e.action, e.version])).toEqual([['update', 3], ['update', 2], ['create', 1]])
    expect(entries[0].fields).toEqual(['secret'])
    expect(entries[1].fields.sort()).toEqual(['displayName', 'temperature'])
    expect(entries[2].fields).toEqual(expect.arrayContaining(['displayName', 'llmFormat', 'urls', 'modelName', 'secret']))
    expect(entries.every((e: any) => e.keyId === t.keyId)).toBe(true)
    expect(entries.every((e: any) => /^\d{4}-\d\d-\d\dT.*Z$/.test(e.at))).toBe(true)
    expect(reply.text).not.toContain('sk-history-secret')
  })

  test('fields resent with the values they already have are not recorded as changed (history and versions)', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { metadata: { team: 'voice' } })
    const { urls, metadata, displayName, modelName } = llm
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1.4, urls, metadata, displayName, modelName })
    expect(reply.status).toBe(200)
    const [event] = (await h.get(`/v1/llms/${llm.id}/history`, t.key)).body.data
    expect(event).toMatchObject({ version: 2, fields: ['temperature'] })
    const [version] = (await h.get(`/v1/llms/${llm.id}/versions`, t.key)).body.data
    expect(version).toMatchObject({ version: 2, changedFields: ['temperature'] })
  })

  test('paginates like the list', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    for (let i = 0; i < 4; i++) await h.put(`/v1/llms/${llm.id}`, t.key, { maxTokens: 100 + i })
    const page2 = await h.get(`/v1/llms/${llm.id}/history?page=2&perPage=2`, t.key)
    expect(page2.body.meta).toEqual({ total: 5, lastPage: 3, currentPage: 2, perPage: 2, prev: 1, next: 3 })
    expect(page2.body.data.map((e: any) => e.version)).toEqual([3, 2])
    expect((await h.get(`/v1/llms/${llm.id}/history?perPage=101`, t.key)).status).toBe(400)
  })

  test("another organization's private LLM: 404; a global one: readable; a deleted one: 404", async () => {
    const owner = await h.tenant()
    const other = await h.tenant()
    const llm = await h.createLlm(owner.key)
    expect((await h.get(`/v1/llms/${llm.id}/history`, other.key)).status).toBe(404)
    expect((await h.get('/v1/llms/a7cf662c-2ace-4de1-a21e-ef0fbf144bb7/history', other.key)).body.data).toEqual([])
    await h.delete(`/v1/llms/${llm.id}`, owner.key)
    expect((await h.get(`/v1/llms/${llm.id}/history`, owner.key)).status).toBe(404)
  })

  test('deletes and key creation/revocation are recorded in the audit table, by whom', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    await h.delete(`/v1/llms/${llm.id}`, t.key)
    await h.orgs.revokeApiKey(t.keyId)
    const db = h.requireStorage().db
    const deleted = await db.selectFrom('audit_events').selectAll().where('llm_id', '=', llm.id).where('action', '=', 'delete').execute()
    expect(deleted).toHaveLength(1)
    expect(deleted[0]?.key_id).toBe(t.keyId)
    const keyEvents = await db.selectFrom('audit_events').select(['action', 'key_id']).where('subject', '=', t.keyId).orderBy('at').execute()
    expect(keyEvents).toEqual([
      { action: 'key-create', key_id: 'operator' },
      { action: 'key-revoke', key_id: 'operator' },
    ])
  })
})
