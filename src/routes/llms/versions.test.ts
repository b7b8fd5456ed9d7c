/** Revisions: every version kept, compared and restored; retention; never a secret in a snapshot. */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { BACKEND, Harness, PG_ADMIN_URL, startHarness, stopHarness, validLlm, type Tenant } from '../../testing/harness.js'

let h: Harness
let small: Harness
beforeAll(async () => {
  ;[h, small] = await Promise.all([startHarness(), startHarness({ versionsKept: 3 })])
})
afterAll(async () => {
  await Promise.all([stopHarness(h), stopHarness(small)])
})

const DEFAULT_ID = 'a7cf662c-2ace-4de1-a21e-ef0fbf144bb7'
const SETTINGS = ['displayName', 'description', 'llmFormat', 'urls', 'modelName', 'temperature', 'maxTokens', 'deploymentName', 'apiVersion', 'metadata', 'reasoningEffort', 'reasoningFormat']
const settingsOf = (llm: Record<string, unknown>) => Object.fromEntries(SETTINGS.map((key) => [key, llm[key]]))

/** The versions of the LLM `id` stored in `server`'s database, served or not, oldest first. */
async function storedVersions(server: Harness, id: string): Promise<number[]> {
  const rows = await server.requireStorage().db.selectFrom('llm_versions').select('version').where('llm_id', '=', id).execute()
  return rows.map((r) => r.version).sort((a, b) => a - b)
}

async function fixture(server = h): Promise<{ t: Tenant; llm: any }> {
  const t = await server.tenant()
  return { t, llm: await server.createLlm(t.key, { secret: 'sk-original-0001' }) }
}

/**
 * PostgreSQL: runs `use` with a client of h's database that acts as a sweep would, and a way to
 * wait until `n` statements of that database wait for a lock (the sweep's, say).
 */
async function asSweep(use: (sweep: pg.Client, lockWaiters: (n: number) => Promise<void>) => Promise<void>): Promise<void> {
  const sweep = new pg.Client({ connectionString: h.database.url })
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await Promise.all([sweep.connect(), admin.connect()])
  const lockWaiters = (n: number) =>
    vi.waitFor(
      async () => {
        const waiting = await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'", [sweep.database])
        expect(waiting.rows[0].n).toBe(n)
      },
      { timeout: 5_000, interval: 20 },
    )
  try {
    await use(sweep, lockWaiters)
  } finally {
    await Promise.all([sweep.end(), admin.end()])
  }
}

describe('versions', () => {
  test('create → three updates → restore version 2: the settings of 2 as version 5, ETag moved, secret kept and opening', async () => {
    const { t, llm } = await fixture()
    const v2 = (await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.1, description: 'second' })).body
    await h.put(`/v1/llms/${llm.id}`, t.key, { modelName: 'gpt-4o-mini', urls: [{ url: 'https://eu.example.com/v1', region: 'eu' }] })
    const v4 = await h.put(`/v1/llms/${llm.id}`, t.key, { displayName: 'Fourth', metadata: { a: 1 } })
    expect(v4.headers.get('etag')).toBe('"4"')

    const restored = await h.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 2 })
    expect(restored.status, restored.text).toBe(200)
    expect(restored.headers.get('etag')).toBe('"5"')
    expect(restored.body).toMatchObject({ restoredFrom: 2, changed: true, credentialDiffers: false })
    expect(restored.body.message).toBe('Restored the settings of version 2 as version 5; the current credential was kept.')
    expect(settingsOf(restored.body.llm)).toEqual(settingsOf(v2))
    const read = await h.get(`/v1/llms/${llm.id}`, t.key)
    expect(read.headers.get('etag')).toBe('"5"')
    expect(read.body).toEqual(restored.body.llm)
    expect(h.box.open((await h.stored(llm.id))?.sealedSecret ?? '', llm.id)).toBe('sk-original-0001')

    const versions = (await h.get(`/v1/llms/${llm.id}/versions`, t.key)).body
    expect(versions.meta.total).toBe(5)
    expect(versions.data.map((v: any) => [v.version, v.action, v.restoredFrom])).toEqual([
      [5, 'restore', 2],
      [4, 'update', null],
      [3, 'update', null],
      [2, 'update', null],
      [1, 'create', null],
    ])
    expect(versions.data[0].changedFields.sort()).toEqual(['displayName', 'metadata', 'modelName', 'urls'])
    expect(versions.data[0].keyId).toBe(t.keyId)
    const history = (await h.get(`/v1/llms/${llm.id}/history`, t.key)).body
    expect(history.data[0]).toMatchObject({ action: 'update', version: 5 })
  })

  test('GET /versions/{n} is the record as it was (shape of GET, with version); diff names each differing field with both values', async () => {
    const { t, llm } = await fixture()
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1.5, maxTokens: null })
    const first = await h.get(`/v1/llms/${llm.id}/versions/1`, t.key)
    expect(first.status).toBe(200)
    expect(first.body).toEqual({ ...llm, version: 1 })
    const second = (await h.get(`/v1/llms/${llm.id}/versions/2`, t.key)).body
    expect(second).toMatchObject({ version: 2, temperature: 1.5, maxTokens: null })
    const diff = await h.get(`/v1/llms/${llm.id}/versions/1/diff/2`, t.key)
    expect(diff.body).toEqual({
      from: 1,
      to: 2,
      changes: [
        { field: 'temperature', from: llm.temperature, to: 1.5 },
        { field: 'maxTokens', from: llm.maxTokens, to: null },
      ],
    })
    expect((await h.get(`/v1/llms/${llm.id}/versions/2/diff/2`, t.key)).body.changes).toEqual([])
    const missing = await h.get(`/v1/llms/${llm.id}/versions/9`, t.key)
    expect([missing.status, missing.body.code, missing.body.message]).toEqual([404, 'not_found', 'Version 9 of this LLM is not kept'])
    expect((await h.get(`/v1/llms/${llm.id}/versions/0`, t.key)).status).toBe(400)
  })

  test('a version in the path is decimal digits: 0x1, 1e0, +1, " 1" and 1.0 are 400s naming it, not version 1', async () => {
    const { t, llm } = await fixture()
    for (const written of ['0x1', '1e0', '+1', '%201', '1.0']) {
      const one = await h.get(`/v1/llms/${llm.id}/versions/${written}`, t.key)
      expect([written, one.status, one.body.details]).toEqual([written, 400, [{ field: 'version', message: 'must be an integer' }]])
      const diff = await h.get(`/v1/llms/${llm.id}/versions/1/diff/${written}`, t.key)
      expect([written, diff.status, diff.body.details]).toEqual([written, 400, [{ field: 'to', message: 'must be an integer' }]])
    }
    expect((await h.get(`/v1/llms/${llm.id}/versions/01`, t.key)).body.version).toBe(1)
  })

  test("a version shows its settings as they were and the managed fields as they are now", async () => {
    const { t, llm } = await fixture()
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1.1 })
    await h.llmRepository.modify(llm.id, (current) => (current === undefined ? null : { ...current, isGlobal: true, displayTags: ['tagged'] }), 'operator')
    const first = (await h.get(`/v1/llms/${llm.id}/versions/1`, t.key)).body
    expect(first).toMatchObject({ version: 1, temperature: llm.temperature, isGlobal: true, displayTags: ['tagged'] })
    expect((await h.get(`/v1/llms/${llm.id}/versions`, t.key)).body.data[0]).toMatchObject({ version: 3, action: 'update', changedFields: ['displayTags', 'isGlobal'] })
  })

  test('a credential change is a version of its own (action secret); restoring across it keeps the current credential and says so', async () => {
    const { t, llm } = await fixture()
    await h.put(`/v1/llms/${llm.id}`, t.key, { secret: 'sk-rotated-0002' })
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0 })
    const versions = (await h.get(`/v1/llms/${llm.id}/versions`, t.key)).body.data
    expect(versions.map((v: any) => [v.version, v.action, v.changedFields])).toEqual([
      [3, 'update', ['temperature']],
      [2, 'secret', ['secret']],
      [1, 'create', expect.any(Array)],
    ])
    const restored = await h.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 1 })
    expect(restored.body).toMatchObject({ changed: true, credentialDiffers: true })
    expect(restored.body.message).toContain('the current credential was kept (version 1 had a different one)')
    expect(h.box.open((await h.stored(llm.id))?.sealedSecret ?? '', llm.id)).toBe('sk-rotated-0002')
  })

  test('restoring the settings it holds already writes nothing', async () => {
    const { t, llm } = await fixture()
    const restored = await h.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 1 })
    expect(restored.body).toMatchObject({ changed: false, restoredFrom: 1 })
    expect(restored.headers.get('etag')).toBe('"1"')
    expect((await h.get(`/v1/llms/${llm.id}/versions`, t.key)).body.meta.total).toBe(1)
  })

  test("a restore that today's rules refuse is a 400 naming the fields, and changes nothing", async () => {
    const { t, llm } = await fixture()
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1 })
    // A snapshot written under older rules: no model for an upstream format, a temperature out of range.
    const snapshot = (await h.get(`/v1/llms/${llm.id}/versions/1`, t.key)).body
    const settings = { ...settingsOf(snapshot), modelName: null, temperature: 7 }
    await h.requireStorage().db.updateTable('llm_versions').set({ settings: JSON.stringify(settings) }).where('llm_id', '=', llm.id).where('version', '=', 1).execute()
    const before = await h.stored(llm.id)
    const refused = await h.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 1 })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('invalid_data')
    expect(refused.body.message).toBe("Version 1 cannot be restored under today's rules")
    expect(refused.body.details).toEqual([
      { field: 'temperature', message: 'must be between 0 and 2' },
      { field: 'modelName', message: 'is required for llmFormat openai' },
    ])
    expect(await h.stored(llm.id)).toEqual(before)
    expect((await h.get(`/v1/llms/${llm.id}/versions`, t.key)).body.meta.total).toBe(2)
  })

  test('restore honours If-Match: a stale ETag is 412 and changes nothing', async () => {
    const { t, llm } = await fixture()
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1 })
    const before = await h.stored(llm.id)
    const stale = await h.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 1 }, { 'if-match': '"1"' })
    expect([stale.status, stale.body.code]).toEqual([412, 'precondition_failed'])
    expect(await h.stored(llm.id)).toEqual(before)
    expect((await h.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 1 }, { 'if-match': '"2"' })).status).toBe(200)
  })

  test("another organization's LLM is 404 on every versions route; a default is readable but 403 on restore", async () => {
    const { llm } = await fixture()
    const other = await h.tenant()
    for (const path of ['/versions', '/versions/1', '/versions/1/diff/1']) {
      const reply = await h.get(`/v1/llms/${llm.id}${path}`, other.key)
      expect([path, reply.status, reply.body.message]).toEqual([path, 404, 'LLM not found'])
    }
    const hidden = await h.post(`/v1/llms/${llm.id}/restore`, other.key, { version: 1 })
    expect([hidden.status, hidden.body.message]).toEqual([404, 'LLM not found'])
    expect((await h.get(`/v1/llms/${DEFAULT_ID}/versions`, other.key)).body.data.map((v: any) => v.action)).toEqual(['create'])
    const before = await h.stored(DEFAULT_ID)
    const restore = await h.post(`/v1/llms/${DEFAULT_ID}/restore`, other.key, { version: 1 })
    expect([restore.status, restore.body.code]).toEqual([403, 'default_llm_readonly'])
    expect(await h.stored(DEFAULT_ID)).toEqual(before)
  })

  test('a bad restore body is a 400 naming the field', async () => {
    const { t, llm } = await fixture()
    for (const body of [{}, { version: 'two' }, { version: 0 }, { version: 1, extra: true }]) {
      const reply = await h.post(`/v1/llms/${llm.id}/restore`, t.key, body)
      expect(reply.status).toBe(400)
      expect(reply.body.details.length).toBeGreaterThan(0)
    }
  })

  test('a deleted LLM has no versions: 404, and its snapshots are gone', async () => {
    const { t, llm } = await fixture()
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1 })
    expect((await h.delete(`/v1/llms/${llm.id}`, t.key)).status).toBe(204)
    expect((await h.get(`/v1/llms/${llm.id}/versions`, t.key)).status).toBe(404)
    expect(await storedVersions(h, llm.id)).toEqual([])
  })

  test('retention keeps the last LLM_VERSIONS_KEPT versions (3 here): served exactly after each write, deleted soon after', async () => {
    const { t, llm } = await fixture(small)
    const stored = () => storedVersions(small, llm.id)
    for (let i = 1; i <= 6; i++) {
      await small.put(`/v1/llms/${llm.id}`, t.key, { temperature: i / 10 })
      const served = (await small.get(`/v1/llms/${llm.id}/versions`, t.key)).body
      expect(served.data.map((v: any) => v.version)).toEqual([i + 1, i, i - 1].filter((v) => v >= 1))
      expect(served.meta.total).toBe(Math.min(i + 1, 3))
    }
    // The versions pushed out are deleted by a sweep shortly after the writes, not in them.
    await vi.waitFor(async () => expect(await stored()).toEqual([5, 6, 7]), { timeout: 5_000, interval: 100 })
    const kept = (await small.get(`/v1/llms/${llm.id}/versions`, t.key)).body
    expect(kept.data.map((v: any) => v.version)).toEqual([7, 6, 5])
    expect(kept.meta.total).toBe(3)
    expect((await small.get(`/v1/llms/${llm.id}/versions/4`, t.key)).status).toBe(404)
    expect((await small.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 4 })).status).toBe(404)
    expect((await small.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 5 })).body.llm.temperature).toBe(0.4)
  })

  test('retention prunes versions, never the history: every write stays in it once, under the same event id, before and after the sweep', async () => {
    const { t, llm } = await fixture(small)
    for (let i = 1; i <= 5; i++) await small.put(`/v1/llms/${llm.id}`, t.key, { temperature: i / 10 })
    expect((await small.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 5 })).status).toBe(200)
    const history = async () => (await small.get(`/v1/llms/${llm.id}/history?perPage=100`, t.key)).body
    const before = await history()
    expect(before.data.map((e: any) => [e.action, e.version])).toEqual([['update', 7], ...[6, 5, 4, 3, 2].map((v) => ['update', v]), ['create', 1]])
    expect(before.meta.total).toBe(7)
    await vi.waitFor(
      async () => expect(await storedVersions(small, llm.id)).toHaveLength(3),
      { timeout: 5_000, interval: 100 },
    )
    const after = await history()
    expect(after).toEqual(before)
    expect(new Set(after.data.map((e: any) => e.id)).size).toBe(7)
    // The moved events are those history showed, with the key that wrote them and the organization.
    const moved = await small.requireStorage().db.selectFrom('audit_events').select(['id', 'action', 'version', 'key_id', 'organization_id']).where('llm_id', '=', llm.id).orderBy('version').execute()
    expect(moved).toEqual(
      [...before.data].reverse().slice(0, 4).map((e: any) => ({ id: e.id, action: e.action, version: e.version, key_id: t.keyId, organization_id: t.organizationId })),
    )
    // Pages across both tables: 7–5 are still versions, 4–1 have moved to the audit table.
    const across = (await small.get(`/v1/llms/${llm.id}/history?perPage=5`, t.key)).body
    expect(across.data.map((e: any) => e.version)).toEqual([7, 6, 5, 4, 3])
    const page = (await small.get(`/v1/llms/${llm.id}/history?page=2&perPage=3`, t.key)).body
    expect(page.data.map((e: any) => e.version)).toEqual([4, 3, 2])
    expect(page.meta.total).toBe(7)
  })

  test("a deleted LLM's history stays in the audit table: each write once, under the id history showed, then the delete", async () => {
    const { t, llm } = await fixture()
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.3 })
    await h.put(`/v1/llms/${llm.id}`, t.key, { secret: 'sk-second-0002' })
    const shown = (await h.get(`/v1/llms/${llm.id}/history`, t.key)).body.data
    expect((await h.delete(`/v1/llms/${llm.id}`, t.key)).status).toBe(204)
    const kept = await h.requireStorage().db.selectFrom('audit_events').select(['id', 'action', 'version', 'key_id', 'organization_id']).where('llm_id', '=', llm.id).execute()
    expect(kept.sort((a, b) => (a.version ?? 0) - (b.version ?? 0))).toEqual([
      ...[...shown].reverse().map((e: any) => ({ id: e.id, action: e.action, version: e.version, key_id: t.keyId, organization_id: t.organizationId })),
      { id: expect.any(String), action: 'delete', version: 4, key_id: t.keyId, organization_id: t.organizationId },
    ])
  })

  test('a version past the kept ones that is still stored (a crash before its sweep) is never served, and the next write after a restart deletes it', async () => {
    const { t, llm } = await fixture(small)
    for (let i = 1; i <= 3; i++) await small.put(`/v1/llms/${llm.id}`, t.key, { temperature: i / 10 })
    const versions = () => small.requireStorage().db.selectFrom('llm_versions').where('llm_id', '=', llm.id)
    await vi.waitFor(async () => expect(await storedVersions(small, llm.id)).toHaveLength(3), { timeout: 5_000, interval: 100 })
    // Put back version 1 as a process killed before its sweep would have left it.
    const v2 = await versions().selectAll().where('version', '=', 2).executeTakeFirstOrThrow()
    const json = (value: unknown) => (typeof value === 'object' && value !== null && !(value instanceof Date) ? JSON.stringify(value) : value)
    // (Its audit event, long moved to audit_events, is not recorded again.) On SQLite, where it
    // was: its rowid, which version 2 still points to, and no version before it (see migration 0009).
    const where = BACKEND === 'sqlite' ? { vid: (v2 as unknown as { prev: number }).prev, prev: 0 } : {}
    const row = Object.fromEntries(Object.entries({ ...v2, version: 1, event_id: null, ...where }).map(([column, value]) => [column, json(value)]))
    await small.requireStorage().db.insertInto('llm_versions').values(row as any).execute()
    const served = (await small.get(`/v1/llms/${llm.id}/versions`, t.key)).body
    expect(served.data.map((v: any) => v.version)).toEqual([4, 3, 2])
    expect(served.meta.total).toBe(3)
    expect((await small.get(`/v1/llms/${llm.id}/versions/1`, t.key)).status).toBe(404)
    expect((await small.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 1 })).status).toBe(404)
    // The process started after the crash: its first sweep of the LLM walks all its versions.
    await small.stop()
    await small.start()
    await small.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.9 })
    await vi.waitFor(async () => expect(await storedVersions(small, llm.id)).toEqual([3, 4, 5]), { timeout: 5_000, interval: 100 })
  })

  test('sweeps one after another each delete what the writes before them pushed out, and no version kept', async () => {
    const { t, llm } = await fixture(small)
    const stored = () => storedVersions(small, llm.id)
    let version = 1
    for (const writes of [4, 1, 2, 5]) {
      for (let i = 0; i < writes; i++) expect((await small.put(`/v1/llms/${llm.id}`, t.key, { temperature: ++version / 100 })).status).toBe(200)
      await vi.waitFor(async () => expect(await stored()).toEqual([version - 2, version - 1, version]), { timeout: 5_000, interval: 100 })
    }
    const history = (await small.get(`/v1/llms/${llm.id}/history?perPage=100`, t.key)).body
    expect(history.data.map((e: any) => e.version)).toEqual(Array.from({ length: version }, (_, i) => version - i))
  })

  test('an LLM deleted and made again under its id, by another instance or by this one: this instance sweeps the new versions from the first', async () => {
    const t = await small.tenant()
    const id = crypto.randomUUID()
    const create = async (server: Harness) => expect((await server.post(`/v1/llms?id=${id}`, t.key, validLlm())).status).toBe(201)
    const stored = () => storedVersions(small, id)
    await create(small)
    for (let i = 2; i <= 6; i++) await small.put(`/v1/llms/${id}`, t.key, { temperature: i / 10 })
    await vi.waitFor(async () => expect(await stored()).toEqual([4, 5, 6]), { timeout: 5_000, interval: 100 })
    // This instance's sweeps have deleted every version up to 3 of the LLM, then up to 5, then 3:
    // the new LLM's versions are swept from 1 whether they reach that mark with the kept ones or
    // pass it, and whichever instance deleted and made it again.
    for (const [newest, byOther] of [[8, true], [6, true], [8, false]] as const) {
      const other = byOther ? new Harness(small.database, small.box, small.options) : small
      if (byOther) await other.start()
      try {
        expect((await other.delete(`/v1/llms/${id}`, t.key)).status).toBe(204)
        await create(other)
      } finally {
        if (byOther) await other.stop()
      }
      for (let i = 2; i <= newest; i++) await small.put(`/v1/llms/${id}`, t.key, { temperature: i / 10 })
      await vi.waitFor(async () => expect(await stored()).toEqual([newest - 2, newest - 1, newest]), { timeout: 5_000, interval: 100 })
    }
  })

  test('an LLM deleted and made again under its id, in another organization, by another instance, while a sweep of the first instance is due: it deletes none of the new kept versions, and the events it moves name the new owner', async () => {
    const [first, second] = [await small.tenant(), await small.tenant()]
    const id = crypto.randomUUID()
    const create = async (server: Harness, t: Tenant) => expect((await server.post(`/v1/llms?id=${id}`, t.key, validLlm())).status).toBe(201)
    const other = new Harness(small.database, small.box, small.options)
    await other.start()
    try {
      // Six versions here, three pushed out: this instance's sweep is due within a second...
      await create(small, first)
      for (let i = 2; i <= 6; i++) await small.put(`/v1/llms/${id}`, first.key, { temperature: i / 10 })
      // ...when the other instance deletes the LLM, makes it again in another organization and writes it to version 5.
      expect((await other.delete(`/v1/llms/${id}`, first.key)).status).toBe(204)
      await create(other, second)
      for (let i = 2; i <= 5; i++) await other.put(`/v1/llms/${id}`, second.key, { temperature: i / 10 })
    } finally {
      await other.stop()
    }
    // This instance's sweep was due a second after its fourth version, before the other's delete:
    // it has run by now. (The other instance stopped before its own sweep was due.)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const trail = () => small.requireStorage().db.selectFrom('audit_events').select(['action', 'version', 'organization_id']).where('llm_id', '=', id).execute()
    // The new LLM's versions 3–5 are kept: stored and served. Each of its versions is either stored
    // or moved to the trail under its owner, once (1 and 2, unless the sweep ran before the delete,
    // on a machine slow enough, and found only the first LLM's versions to delete).
    await vi.waitFor(
      async () => {
        const stored = await storedVersions(small, id)
        const moved = (await trail()).filter((e) => e.organization_id === second.organizationId).map((e) => e.version as number)
        expect(stored.filter((v) => v >= 3)).toEqual([3, 4, 5])
        expect([...moved, ...stored].sort()).toEqual([1, 2, 3, 4, 5])
      },
      { timeout: 5_000, interval: 100 },
    )
    expect((await small.get(`/v1/llms/${id}/versions`, second.key)).body.data.map((v: any) => v.version)).toEqual([5, 4, 3])
    // The first LLM's versions and its delete under its owner, and no event under anyone else.
    const events = await trail()
    const firsts = events.filter((e) => e.organization_id === first.organizationId).map((e) => `${e.action} ${e.version}`)
    expect(firsts.sort()).toEqual(['create 1', 'delete 7', 'update 2', 'update 3', 'update 4', 'update 5', 'update 6'])
    expect(events.filter((e) => e.organization_id !== first.organizationId && e.organization_id !== second.organizationId)).toEqual([])
  })

  test.runIf(BACKEND === 'postgres')(
    "an LLM deleted while a sweep has deleted one of its versions but not yet kept that version's event: both finish, and the trail holds every event once",
    async () => {
      const { t, llm } = await fixture()
      for (let i = 1; i <= 2; i++) await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: i / 10 })
      await asSweep(async (sweep, lockWaiters) => {
        // A sweep's statement, halfway: version 1 deleted (its row locked), its event not yet kept.
        await sweep.query('begin')
        const [v1] = (await sweep.query('delete from llm_versions where llm_id = $1 and version = 1 returning *', [llm.id])).rows
        const deleting = h.delete(`/v1/llms/${llm.id}`, t.key)
        // The delete of the LLM waits for version 1's row...
        await lockWaiters(1)
        // ...and the sweep keeps the event: it must not find the delete holding it.
        await sweep.query(
          `insert into audit_events (id, llm_id, organization_id, key_id, action, fields, subject, at, version)
           values ($1, $2, $3, $4, 'create', $5, null, $6, $7) on conflict (id) do nothing`,
          [v1.event_id, llm.id, t.organizationId, v1.key_id, JSON.stringify(v1.changed_fields), v1.at, 1],
        )
        await sweep.query('commit')
        expect((await deleting).status).toBe(204)
      })
      const trail = await h.requireStorage().db.selectFrom('audit_events').select(['action', 'version']).where('llm_id', '=', llm.id).orderBy('version').execute()
      expect(trail).toEqual([
        { action: 'create', version: 1 },
        { action: 'update', version: 2 },
        { action: 'update', version: 3 },
        { action: 'delete', version: 4 },
      ])
    },
  )

  test.runIf(BACKEND === 'postgres')(
    "history's total while a sweep moves an event from the versions to the audit table: every event counted once, as on its page",
    async () => {
      const { t, llm } = await fixture()
      for (let i = 1; i <= 2; i++) await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: i / 10 })
      let reading: ReturnType<typeof h.get> | undefined
      await asSweep(async (sweep, lockWaiters) => {
        // A sweep holds the versions table while it moves version 1's event...
        await sweep.query('begin')
        await sweep.query('lock table llm_versions in access exclusive mode')
        reading = h.get(`/v1/llms/${llm.id}/history`, t.key)
        // ...while history's statements that read the versions wait for it...
        await lockWaiters(2)
        await sweep.query(
          `with gone as (delete from llm_versions where llm_id = $1 and version = 1 returning *)
           insert into audit_events (id, llm_id, organization_id, key_id, action, fields, subject, at, version)
           select event_id, llm_id, $2, key_id, 'create', changed_fields, null, at, version from gone`,
          [llm.id, t.organizationId],
        )
        // ...and read them once it has moved the event: the event is in the audit table now.
        await sweep.query('commit')
      })
      const history = (await reading)?.body
      expect(history.data.map((e: any) => e.version)).toEqual([3, 2, 1])
      expect(history.meta.total).toBe(3)
    },
  )

  test('50 concurrent updates make 50 consecutive versions, no gap and no duplicate', async () => {
    const { t, llm } = await fixture()
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.put(`/v1/llms/${llm.id}`, t.key, { description: `writer ${i}` })),
    )
    expect(replies.every((r) => r.status === 200)).toBe(true)
    const all = (await h.get(`/v1/llms/${llm.id}/versions?perPage=100`, t.key)).body
    expect(all.data.map((v: any) => v.version)).toEqual(Array.from({ length: 51 }, (_, i) => 51 - i))
    expect(new Set(replies.map((r) => r.headers.get('etag'))).size).toBe(50)
  })

  test('pages of versions: each the next ones, newest first, with the same total', async () => {
    const { t, llm } = await fixture()
    for (let i = 1; i <= 11; i++) await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: i / 10 })
    const page = async (n: number) => (await h.get(`/v1/llms/${llm.id}/versions?page=${n}&perPage=5`, t.key)).body
    const pages = await Promise.all([1, 2, 3, 4].map(page))
    expect(pages.map((p) => p.data.map((v: any) => v.version))).toEqual([[12, 11, 10, 9, 8], [7, 6, 5, 4, 3], [2, 1], []])
    expect(pages.map((p) => p.meta.total)).toEqual([12, 12, 12, 12])
    expect((await h.get(`/v1/llms/${llm.id}/versions/1`, t.key)).body.temperature).toBe(llm.temperature)
  })

  test('no snapshot holds the secret: every row of llm_versions is scanned', async () => {
    const t = await h.tenant()
    const secret = `sk-versions-${crypto.randomUUID()}`
    const llm = await h.createLlm(t.key, { secret })
    await h.put(`/v1/llms/${llm.id}`, t.key, { secret: `${secret}-2`, temperature: 1 })
    await h.post(`/v1/llms/${llm.id}/restore`, t.key, { version: 1 })
    const rows = await h.requireStorage().db.selectFrom('llm_versions').selectAll().execute()
    expect(rows.length).toBeGreaterThan(3)
    const text = JSON.stringify(rows)
    expect(text).not.toContain(secret)
    expect(text).not.toContain('v1.')
    for (const reply of h.replies) expect(reply).not.toContain(secret)
  })
})
