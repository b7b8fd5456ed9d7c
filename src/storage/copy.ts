/** Copies every organization, key, LLM and audit event from one database to another (secrets stay sealed). */
import { sql, type Kysely } from 'kysely'
import { parseDatabaseUrl } from '../config.js'
import { DEFAULT_LLMS } from '../domain/default-llms.js'
import { openDatabase, type Storage } from './database.js'
import { fromRow, toRow } from './llm-repository.js'
import { prepareDatabase } from './prepare.js'
import type { Database } from './schema.js'

const BATCH = 500
const TABLES = ['organizations', 'api_keys', 'llms', 'audit_events', 'llm_versions'] as const

export type CopyReport = Record<(typeof TABLES)[number], number>

async function counts(db: Kysely<Database>): Promise<CopyReport> {
  const report = { organizations: 0, api_keys: 0, llms: 0, audit_events: 0, llm_versions: 0 }
  for (const table of TABLES) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    report[table] = Number(row.n)
  }
  return report
}

/** True when the target holds nothing but the built-in defaults that every start seeds. */
async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  const defaults = DEFAULT_LLMS.map((llm) => llm.id)
  const { organizations, api_keys } = await counts(db)
  const other = await db.selectFrom('llms').select('id').where('id', 'not in', defaults).limit(1).execute()
  return organizations === 0 && api_keys === 0 && other.length === 0
}

async function copyRows(source: Storage, target: Kysely<Database>): Promise<void> {
  const orgs = await source.db.selectFrom('organizations').selectAll().orderBy('id').execute()
  for (let i = 0; i < orgs.length; i += BATCH) {
    const rows = orgs.slice(i, i + BATCH).map((o) => ({ id: o.id, name: o.name, created_at: o.created_at }))
    await target.insertInto('organizations').values(rows).execute()
  }
  const keys = await source.db.selectFrom('api_keys').selectAll().orderBy('id').execute()
  for (let i = 0; i < keys.length; i += BATCH) {
    const rows = keys.slice(i, i + BATCH).map((k) => ({
      ...k,
      created_at: k.created_at,
      revoked_at: k.revoked_at,
    }))
    await target.insertInto('api_keys').values(rows).execute()
  }
  // LLMs in pages by id, so memory stays flat however large the source is.
  let after = ''
  for (;;) {
    const page = await source.db.selectFrom('llms').selectAll().where('id', '>', after).orderBy('id').limit(BATCH).execute()
    if (page.length === 0) break
    await target.insertInto('llms').values(page.map((row) => toRow(fromRow(row)))).execute()
    after = (page[page.length - 1] as (typeof page)[0]).id
  }
  // The audit trail goes along: an LLM's history must not start over on the new database.
  after = ''
  for (;;) {
    const page = await source.db.selectFrom('audit_events').selectAll().where('id', '>', after).orderBy('id').limit(BATCH).execute()
    if (page.length === 0) break
    const rows = page.map((e) => ({ ...e, fields: typeof e.fields === 'string' ? e.fields : JSON.stringify(e.fields) }))
    await target.insertInto('audit_events').values(rows).execute()
    after = (page[page.length - 1] as (typeof page)[0]).id
  }
  // So do the versions: what each LLM held, so it can still be compared and restored. Each LLM's
  // in the order they were written: on SQLite, their rowids (its versions have no other index),
  // which a SQLite target's triggers need to link each into its LLM's chain (see migration 0009);
  // the rowids and links themselves stay behind.
  for (let offset = 0; ; offset += BATCH) {
    let query = source.db.selectFrom('llm_versions').selectAll()
    query = source.dialect === 'sqlite' ? query.orderBy(sql`vid`) : query.orderBy('llm_id').orderBy('version')
    const page = await query.limit(BATCH).offset(offset).execute()
    if (page.length === 0) break
    const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))
    const rows = page.map(({ vid: _vid, prev: _prev, ...v }: (typeof page)[number] & { vid?: number; prev?: number | null }) => ({
      ...v,
      at: v.at,
      secret_updated_at: v.secret_updated_at,
      changed_fields: json(v.changed_fields),
      settings: json(v.settings),
      has_secret: v.has_secret ? 1 : 0,
    }))
    await target.insertInto('llm_versions').values(rows).execute()
  }
}

/**
 * Copies `from` into `to` (created and migrated when new). Refuses a target that holds data
 * unless `force`, which replaces the target's content. Verifies the counts afterwards.
 */
export async function copyDatabase(from: string, to: string, options: { force: boolean }): Promise<CopyReport> {
  const source = openDatabase(parseDatabaseUrl(from))
  const target = openDatabase(parseDatabaseUrl(to))
  try {
    await prepareDatabase(source)
    await prepareDatabase(target)
    if (!options.force && !(await isEmpty(target.db))) {
      throw new Error('the target database holds data already; pass --force to replace it')
    }
    await target.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('audit_events').execute()
      await trx.deleteFrom('llm_versions').execute()
      await trx.deleteFrom('llm_checks').execute()
      await trx.deleteFrom('llms').execute()
      await trx.deleteFrom('api_keys').execute()
      await trx.deleteFrom('organizations').execute()
      await copyRows(source, trx)
    })
    // Fresh planner statistics for the copied data, so the first queries on it are planned well.
    await sql`analyze`.execute(target.db)
    const [expected, actual] = [await counts(source.db), await counts(target.db)]
    for (const table of TABLES) {
      if (expected[table] !== actual[table]) {
        throw new Error(`copy verification failed: ${table} has ${actual[table]} rows on the target, ${expected[table]} on the source`)
      }
    }
    return actual
  } finally {
    await Promise.all([source.close(), target.close()])
  }
}
