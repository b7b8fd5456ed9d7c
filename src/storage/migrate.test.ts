/** Migrations on a database that already holds data: the versions backfill snapshots what each LLM holds. */
import { randomUUID } from 'node:crypto'
import { Migrator } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/harness.js'
import { openDatabase, type Storage } from './database.js'
import { toRow } from './llm-repository.js'
import { migrateToLatest, migrationsFor } from './migrate.js'
import { findVersion } from './versions.js'

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
  const settings = {
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
  const row = toRow({
    ...settings,
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
  })
  await storage.db.insertInto('llms').values(row).execute()
  expect(await migrateToLatest(storage)).toContain('0005-versions')
  expect(await findVersion(storage.db, id, 0, 3)).toEqual({
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
