/** Everything a database needs before the service uses it: schema and the built-in defaults. */
import { sql } from 'kysely'
import { DEFAULT_LLMS } from '../domain/default-llms.js'
import type { Storage } from './database.js'
import { KyselyLlmRepository } from './llm-repository.js'
import { migrateToLatest } from './migrate.js'

export interface Prepared {
  migrations: string[]
  seeded: number
  /**
   * PostgreSQL: autovacuum does not reach llm_versions (off for the server, or for that table).
   * Every write leaves a dead row there once its version is swept (see sweepVersions), so the
   * table and its index then grow without end unless someone runs VACUUM.
   */
  autovacuumOff: boolean
}

/** Migrates and seeds; safe to run at every start and from several processes at once. */
export async function prepareDatabase(storage: Storage): Promise<Prepared> {
  const migrations = await migrateToLatest(storage)
  const seeded = await new KyselyLlmRepository(storage).insertMissing([...DEFAULT_LLMS])
  return { migrations, seeded, autovacuumOff: storage.dialect === 'postgres' && (await autovacuumOff(storage)) }
}

async function autovacuumOff(storage: Storage): Promise<boolean> {
  const { rows } = await sql<{ off: boolean }>`
    select current_setting('autovacuum') = 'off'
      or exists (
        select from pg_class, unnest(reloptions) as o
        where pg_class.oid = 'llm_versions'::regclass and split_part(o, '=', 1) = 'autovacuum_enabled' and not split_part(o, '=', 2)::boolean
      ) as "off"
  `.execute(storage.db)
  return rows[0]?.off === true
}
