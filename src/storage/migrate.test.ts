/**
 * Migrations on a database that already holds data: the versions backfill snapshots what each LLM
 * holds; the history of writes made before versions recorded their events is kept, once.
 */
import { randomUUID } from 'node:crypto'
import { Migrator } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/harness.js'
import { openDatabase, type Storage } from './database.js'
import { KyselyLlmRepository, fromRow, toRow } from './llm-repository.js'
import { migrateToLatest, migrationsFor } from './migrate.js'
import { findVersion, snapshotRowOf } from './versions.js'
import { listHistory, auditRowOf } from './audit.js'

let database: TestDatabase
let storage: Storage
beforeAll(async () => {
  database = await createTestDatabase()
  storage = openDatabase(database.config)
})
afterAll(async () => {
  await storage.close()
  await database.drop()
})

test('0005 gives every LLM that exists a snapshot of its current settings at its current version', async () => {
  const migrator = new Migrator({ db: storage.db, provider: { getMigrations: async () => migrationsFor(storage.dialect) } })
  const { error } = await migrator.migrateTo('0004-audit')
  expect(error).toBeUndefined()
  const id = randomUUID()
  const settings = SETTINGS
  const row = toRow({ ...settings, ...storedFields(id) })
  await storage.db.insertInto('llms').values(row).execute()
  expect(await migrateToLatest(storage)).toContain('0005-versions')
  expect(await findVersion(storage.db, storage.dialect, id, 0, 3)).toEqual({
    version: 3,
    at: '2026-02-01T00:00:00.000Z',
    action: 'update',
    keyId: 'operator',
    changedFields: [],
    restoredFrom: null,
    settings,
    hasSecret: true,
    secretUpdatedAt: '2026-01-01T00:00:00.000Z',
  })
  const rows = await storage.db.selectFrom('llm_versions').selectAll().where('llm_id', '=', id).execute()
  expect(JSON.stringify(rows)).not.toContain('v1.key')
})

test('after 0007, the events of writes made before it are in the history once, and the next write adds its own', async () => {
  await withDatabaseAt('0006-checks', async (db) => {
    const id = randomUUID()
    // As 0006's code wrote a create and an update: each an audit event and a version.
    const row = toRow({ ...SETTINGS, ...storedFields(id), version: 2 })
    await db.db.insertInto('llms').values(row).execute()
    const versions = [1, 2].map((version) => {
      const meta = { action: version === 1 ? ('create' as const) : ('update' as const), keyId: 'key-1', changedFields: ['temperature'], at: '2026-02-01T00:00:00.000Z' }
      const { event_id: _none, ...columns } = snapshotRowOf(fromRow({ ...row, version } as any), meta)
      return columns
    })
    await db.db.insertInto('llm_versions').values(versions).execute()
    const events = [1, 2].map((version) =>
      auditRowOf({ action: version === 1 ? 'create' : 'update', keyId: 'key-1', llmId: id, fields: ['temperature'], version }),
    )
    await db.db.insertInto('audit_events').values(events).execute()
    await migrateToLatest(db)
    const before = await listHistory(db.db, db.dialect, id, 10, 0)
    expect(before.items.map((e) => [e.id, e.action, e.version])).toEqual([[events[1]?.id, 'update', 2], [events[0]?.id, 'create', 1]])
    expect(before.total).toBe(2)
    const repository = new KyselyLlmRepository(db)
    await repository.modify(id, (current) => (current === undefined ? null : { ...current, temperature: 0.9 }), 'key-2')
    const after = await listHistory(db.db, db.dialect, id, 10, 0)
    expect(after.items.map((e) => [e.action, e.version, e.keyId])).toEqual([['update', 3, 'key-2'], ['update', 2, 'key-1'], ['create', 1, 'key-1']])
    expect(after.total).toBe(3)
  })
})

test('after 0009, every LLM reads the versions and history it had, in order, and its writes and deletion carry on from them', async () => {
  await withDatabaseAt('0008-owner-search-index', async (db) => {
    const ids = [randomUUID(), randomUUID(), randomUUID()]
    for (const id of ids) await db.db.insertInto('llms').values(toRow({ ...SETTINGS, ...storedFields(id) })).execute()
    // Three versions each, stored interleaved as concurrent writes to three LLMs leave them.
    for (const version of [1, 2, 3]) {
      for (const id of ids) {
        const meta = { action: version === 1 ? ('create' as const) : ('update' as const), keyId: 'key-1', changedFields: ['temperature'], at: `2026-02-0${version}T00:00:00.000Z`, eventId: randomUUID() }
        await db.db.insertInto('llm_versions').values(snapshotRowOf({ ...SETTINGS, ...storedFields(id), version, temperature: version / 10 }, meta)).execute()
      }
    }
    expect(await migrateToLatest(db)).toEqual(['0009-version-chains'])
    const repository = new KyselyLlmRepository(db)
    const versionsOf = async (id: string) => (await repository.versions(id, 10, 0)).items.map((v) => v.version)
    const historyOf = async (id: string) => (await repository.history(id, 10, 0)).items.map((e) => [e.action, e.version])
    for (const id of ids) {
      expect(await versionsOf(id)).toEqual([3, 2, 1])
      expect(await historyOf(id)).toEqual([['update', 3], ['update', 2], ['create', 1]])
      expect((await repository.version(id, 2))?.settings.temperature).toBe(0.2)
    }
    const [first, second, third] = ids as [string, string, string]
    await repository.modify(first, (current) => (current === undefined ? null : { ...current, temperature: 0.9 }), 'key-2')
    expect(await versionsOf(first)).toEqual([4, 3, 2, 1])
    expect((await repository.version(first, 4))?.settings.temperature).toBe(0.9)
    expect(await versionsOf(second)).toEqual([3, 2, 1])
    await repository.remove(third, () => {}, 'key-2')
    expect(await versionsOf(third)).toEqual([])
    expect(await historyOf(third)).toEqual([['delete', 4], ['update', 3], ['update', 2], ['create', 1]])
    const stored = await db.db.selectFrom('llm_versions').select(['llm_id', 'version']).execute()
    expect(stored.filter((v) => v.llm_id === third)).toEqual([])
    expect(stored.length).toBe(7)
    // Its id taken again (as the CLI's import may): a version list of its own from 1, none of the old.
    expect(await repository.insertMissing([{ ...SETTINGS, ...storedFields(third), version: 1, temperature: 0.5 }])).toBe(1)
    await repository.modify(third, (current) => (current === undefined ? null : { ...current, temperature: 0.6 }), 'key-2')
    expect(await versionsOf(third)).toEqual([2, 1])
    expect((await repository.version(third, 1))?.settings.temperature).toBe(0.5)
    if (db.dialect === 'sqlite') {
      // A version a statement inserts without linking it (any but the hot update's) is linked as
      // its LLM's newest; one that is not newer than the newest is refused, as the key refused it.
      const meta = { action: 'update' as const, keyId: 'key-3', changedFields: ['temperature'], at: '2026-03-01T00:00:00.000Z' }
      const row = (version: number) => snapshotRowOf({ ...SETTINGS, ...storedFields(second), version, temperature: 0.7 }, meta)
      await db.db.insertInto('llm_versions').values(row(4)).execute()
      expect(await versionsOf(second)).toEqual([4, 3, 2, 1])
      await expect(db.db.insertInto('llm_versions').values(row(4)).execute()).rejects.toThrow(/not newer than the newest version of its LLM/)
      await expect(db.db.insertInto('llm_versions').values(row(2)).execute()).rejects.toThrow(/not newer/)
      expect(await versionsOf(second)).toEqual([4, 3, 2, 1])
    }
  })
})

/** `use` on a database of its own, migrated up to `migration` (included); dropped after. */
async function withDatabaseAt(migration: string, use: (db: Storage) => Promise<void>): Promise<void> {
  const other = await createTestDatabase()
  const db = openDatabase(other.config)
  try {
    const migrator = new Migrator({ db: db.db, provider: { getMigrations: async () => migrationsFor(db.dialect) } })
    expect((await migrator.migrateTo(migration)).error).toBeUndefined()
    await use(db)
  } finally {
    await db.close()
    await other.drop()
  }
}

/** Settings as an LLM of these tests holds them. */
const SETTINGS = {
  displayName: 'Before versions',
  description: null,
  llmFormat: 'anthropic' as const,
  urls: [{ url: 'https://api.anthropic.com/v1/messages', region: 'eu' }],
  modelName: 'claude-x',
  temperature: 0.3,
  maxTokens: 500,
  deploymentName: null,
  apiVersion: null,
  metadata: { team: 'voice' },
  reasoningEffort: 'low' as const,
  reasoningFormat: 'raw' as const,
}

/** The rest of a stored record (version 3). */
function storedFields(id: string) {
  return {
    id,
    displayTags: [],
    isDefault: false,
    isGlobal: false,
    isZdr: false,
    createdByOrganizationId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
    hasSecret: true,
    secretUpdatedAt: '2026-01-01T00:00:00.000Z',
    sealedSecret: 'v1.key.nonce.cipher.tag',
    version: 3,
  }
}
