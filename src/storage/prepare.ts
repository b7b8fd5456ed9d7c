/** Everything a database needs before the service uses it: schema and the built-in defaults. */
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
