/** The snapshots of an LLM's versions: written in the transaction of the change, pruned after it. */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely'
import { SETTING_KEYS, type LlmSettings, type StoredLlm } from '../domain/llm.js'
import type { VersionAction, VersionEntry, VersionSnapshot } from '../domain/ports.js'
import type { Database, LlmVersionsTable } from './schema.js'
import { iso, isoOrNull, parseJson } from './values.js'

export interface VersionMeta {
  action: VersionAction
  keyId: string
  changedFields: string[]
  at: string
  restoredFrom?: number
  /** The id of the write's audit event, which this version records (see LlmVersionsTable.event_id). */
  eventId?: string
}

/** The settings of a record, and nothing else (never the sealed secret). */
function settingsOf(llm: StoredLlm): LlmSettings {
  return Object.fromEntries(SETTING_KEYS.map((key) => [key, llm[key]])) as unknown as LlmSettings
}

/** The snapshot row of a record at its current version. */
export function snapshotRowOf(llm: StoredLlm, meta: VersionMeta): Insertable<LlmVersionsTable> {
  return {
    llm_id: llm.id,
    version: llm.version,
    at: meta.at,
    action: meta.action,
    key_id: meta.keyId,
    changed_fields: JSON.stringify(meta.changedFields),
    restored_from: meta.restoredFrom ?? null,
    settings: JSON.stringify(settingsOf(llm)),
    has_secret: llm.hasSecret ? 1 : 0,
    secret_updated_at: llm.secretUpdatedAt,
    event_id: meta.eventId ?? null,
  }
}

/** The audit action of the write that made a version (of `llm_versions as v`): restores and secret changes are updates. */
const AUDIT_ACTION = sql<string>`case when v.action = 'create' then 'create' else 'update' end`

/** The audit events that an LLM's stored versions record, as audit_events' columns (see listHistory). */
export function eventsInVersions(db: Kysely<Database>, llmId: string) {
  return db
    .selectFrom('llm_versions as v')
    .select([sql<string>`v.event_id`.as('id'), AUDIT_ACTION.as('action'), 'v.changed_fields as fields', 'v.key_id', 'v.at', 'v.version'])
    .where('v.llm_id', '=', llmId)
    .where('v.event_id', 'is not', null)
}

/**
 * Copies the audit events that versions about to be deleted record into audit_events: of the
 * LLMs `llmIds`, the versions past the newest `kept` (pruned), or all of them (the LLMs being
 * deleted). Run in the transaction that deletes them, before it does (the LLM's row gives the
 * event its organization). An event already there is left as it is, so a sweep that races another
 * instance's, or repeats after a failure, copies nothing twice.
 */
export async function keepEventsOf(db: Kysely<Database>, llmIds: readonly string[], kept: number | 'none'): Promise<void> {
  await db
    .insertInto('audit_events')
    .columns(['id', 'llm_id', 'organization_id', 'key_id', 'action', 'fields', 'subject', 'at', 'version'])
    .expression((eb) => {
      let versions = eb
        .selectFrom('llm_versions as v')
        .innerJoin('llms as l', 'l.id', 'v.llm_id')
        .select([
          sql<string>`v.event_id`.as('id'),
          'v.llm_id',
          'l.created_by_organization_id',
          'v.key_id',
          AUDIT_ACTION.as('action'),
          'v.changed_fields',
          sql<null>`null`.as('subject'),
          'v.at',
          'v.version',
        ])
        .where('v.llm_id', 'in', llmIds)
        .where('v.event_id', 'is not', null)
      if (kept !== 'none') versions = versions.where('v.version', '<=', sql<number>`l.version - ${kept}`)
      return versions
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

const ENTRY_COLUMNS = ['version', 'at', 'action', 'key_id', 'changed_fields', 'restored_from'] as const

function entryOf(row: Pick<Selectable<LlmVersionsTable>, (typeof ENTRY_COLUMNS)[number]>): VersionEntry {
  return {
    version: row.version,
    at: iso(row.at),
    action: row.action as VersionAction,
    keyId: row.key_id,
    changedFields: parseJson<string[]>(row.changed_fields),
    restoredFrom: row.restored_from,
  }
}

/**
 * An LLM's stored versions that are kept: the newest `kept` (0: all). Older ones are deleted
 * after the write that pushed them out (see KyselyLlmRepository.sweepVersions), and until then
 * they are stored but never served.
 */
function keptVersions(db: Kysely<Database>, llmId: string, kept: number) {
  let query = db.selectFrom('llm_versions').where('llm_id', '=', llmId)
  if (kept > 0) {
    query = query.where('version', '>', (eb) =>
      eb.selectFrom('llms').select(sql<number>`"llms"."version" - ${kept}`.as('floor')).where('id', '=', llmId),
    )
  }
  return query
}

/** An LLM's kept versions, newest first. */
export async function listVersions(db: Kysely<Database>, llmId: string, kept: number, limit: number, offset: number) {
  const [rows, count] = await Promise.all([
    keptVersions(db, llmId, kept).select(ENTRY_COLUMNS).orderBy('version', 'desc').limit(limit).offset(offset).execute(),
    keptVersions(db, llmId, kept).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(entryOf), total: Number(count.n) }
}

export async function findVersion(db: Kysely<Database>, llmId: string, kept: number, version: number): Promise<VersionSnapshot | undefined> {
  const row = await keptVersions(db, llmId, kept).selectAll().where('version', '=', version).executeTakeFirst()
  if (row === undefined) return undefined
  return {
    ...entryOf(row),
    settings: parseJson<LlmSettings>(row.settings),
    hasSecret: Boolean(row.has_secret),
    secretUpdatedAt: isoOrNull(row.secret_updated_at),
  }
}
