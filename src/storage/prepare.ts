/** Everything a database needs before the service uses it: schema, defaults, first organization. */
import { DEFAULT_LLMS } from '../domain/default-llms.js'
import type { Storage } from './database.js'
import { KyselyLlmRepository } from './llm-repository.js'
import { migrateToLatest } from './migrate.js'
import { OrgRepository } from './org-repository.js'

export interface Prepared {
  migrations: string[]
  seeded: number
  /** The raw key of the `default` organization, only on the very first start of an embedded database. */
  firstKey: string | undefined
}

/** Migrates and seeds; safe to run at every start and from several processes at once. */
export async function prepareDatabase(
  storage: Storage,
  options: { createFirstOrganization: boolean },
): Promise<Prepared> {
  const migrations = await migrateToLatest(storage)
  const seeded = await new KyselyLlmRepository(storage).insertMissing([...DEFAULT_LLMS])
  let firstKey: string | undefined
  if (options.createFirstOrganization && storage.dialect === 'sqlite') {
    // In one write transaction, so that of several processes starting together only one creates it.
    firstKey = await storage.db.transaction().execute(async (trx) => {
      const orgs = new OrgRepository(trx)
      if ((await orgs.countOrganizations()) > 0) return undefined
      const org = await orgs.createOrganization('default')
      return (await orgs.createApiKey(org.id, ['llms:read', 'llms:write'])).raw
    })
  }
  return { migrations, seeded, firstKey }
}
