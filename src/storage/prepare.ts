/** Everything a database needs before the service uses it: schema and the built-in defaults. */
import { sql } from 'kysely'
import { DEFAULT_LLMS } from '../domain/default-llms.js'
import type { Storage } from './database.js'
import { KyselyLlmRepository } from './llm-repository.js'
import { migrateToLatest } from './migrate.js'

export interface Prepared {
  migrations: string[]
  seeded: number
}

/** Migrates and seeds; safe to run at every start and from several processes at once. */
export async function prepareDatabase(storage: Storage): Promise<Prepared> {
  const migrations = await migrateToLatest(storage)
  const seeded = await new KyselyLlmRepository(storage).insertMissing([...DEFAULT_LLMS])
  return { migrations, seeded }
}

/**
 * PostgreSQL: whether autovacuum does not reach llm_versions (off for the server, or for that
 * table in any spelling PostgreSQL accepts). Every write leaves a dead row there once its version
 * is swept (see sweepVersions), so the table and its index then grow without end unless someone
 * runs VACUUM. Always false on SQLite. Asked by the server at start (it warns) and by the
 * benchmark (its report says so), not by every user of prepareDatabase.
 */
export async function autovacuumOff(storage: Storage): Promise<boolean> {
  if (storage.dialect !== 'postgres') return false
  const { rows } = await sql<{ off: boolean }>`
    select current_setting('autovacuum') = 'off'
      or exists (
        select from pg_class, unnest(reloptions) as o
        where pg_class.oid = 'llm_versions'::regclass and split_part(o, '=', 1) = 'autovacuum_enabled' and not split_part(o, '=', 2)::boolean
      ) as "off"
  `.execute(storage.db)
  return rows[0]?.off === true
}
