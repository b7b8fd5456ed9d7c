/** Runs the migrations kept in src/storage/migrations, in order, once. */
import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import type { Storage } from './database.js'
import { initial } from './migrations/0001-initial.js'
import { searchIndex } from './migrations/0002-search-index.js'
import { listIndexes } from './migrations/0003-list-indexes.js'
import { audit } from './migrations/0004-audit.js'
import { versions } from './migrations/0005-versions.js'
import { checks } from './migrations/0006-checks.js'
import { versionEvents } from './migrations/0007-version-events.js'
import { ownerSearchIndex } from './migrations/0008-owner-search-index.js'
import { versionChains } from './migrations/0009-version-chains.js'
import type { DialectName } from './schema.js'

/** Every migration, by name, in order. */
export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-initial': initial(dialect),
    '0002-search-index': searchIndex(dialect),
    '0003-list-indexes': listIndexes(dialect),
    '0004-audit': audit(dialect),
    '0005-versions': versions(dialect),
    '0006-checks': checks(dialect),
    '0007-version-events': versionEvents(),
    '0008-owner-search-index': ownerSearchIndex(dialect),
    '0009-version-chains': versionChains(dialect),
  }
}

/**
 * Brings the schema up to date. On PostgreSQL, Kysely's migrator holds an advisory lock while it
 * runs, so instances that start at the same moment migrate once and the others wait.
 */
export async function migrateToLatest(storage: Storage): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(storage.dialect) }
  const migrator = new Migrator({ db: storage.db, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
