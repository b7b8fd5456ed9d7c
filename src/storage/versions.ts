/** The snapshots of an LLM's versions: written in the transaction of the change, pruned after it. */
import { sql, type Insertable, type Kysely, type OperationNodeSource, type Selectable } from 'kysely'
import type { LlmSettings, StoredLlm } from '../domain/llm.js'
import type { VersionAction, VersionEntry, VersionSnapshot } from '../domain/ports.js'
import type { Database, DialectName, LlmVersionsTable } from './schema.js'
import { parseJson } from './values.js'

export interface VersionMeta {
  action: VersionAction
  keyId: string
  changedFields: string[]
  at: string
  restoredFrom?: number
  /** The id of the write's audit event, which this version records (see LlmVersionsTable.event_id). */
  eventId?: string
}

/**
 * The settings of a record, and nothing else (never the sealed secret). Written out as one literal
 * (its type makes it total: a setting missing here, or one that is not a setting, fails the build),
 * in the order of SETTING_KEYS: made from the keys, it was an object JSON.stringify had to walk as
 * a dictionary, on every write.
 */
function settingsOf(llm: StoredLlm): LlmSettings {
  return {
    displayName: llm.displayName,
    description: llm.description,
    llmFormat: llm.llmFormat,
    urls: llm.urls,
    modelName: llm.modelName,
    temperature: llm.temperature,
    maxTokens: llm.maxTokens,
    deploymentName: llm.deploymentName,
    apiVersion: llm.apiVersion,
    metadata: llm.metadata,
    reasoningEffort: llm.reasoningEffort,
    reasoningFormat: llm.reasoningFormat,
  }
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

/**
 * SQLite: the rowids (`vid`) of the stored versions of the LLMs `llmIds`, walked down each LLM's
 * chain from its newest (see migration 0009): each step a rowid lookup, and only the LLM's own
 * rows (a rowid a deleted LLM's version freed may be taken again by another's). For one LLM, the
 * walk stops after its newest `walk` versions when given (the chain runs newest first).
 * removeVersions walks the chains the same way, carrying more with each step.
 */
function chainOf(llmIds: readonly string[], walk?: number) {
  return sql<number>`with recursive chain(vid, prev, llm_id) as (
    select v.vid, v.prev, v.llm_id from llms as l cross join llm_versions as v on v.vid = l.versions_head where l.id in (${sql.join(llmIds)})
    union all select v.vid, v.prev, v.llm_id from chain as c cross join llm_versions as v on v.vid = c.prev and v.llm_id = c.llm_id
    ${walk === undefined ? sql`` : sql`limit ${walk}`})
    select vid from chain`
}

/**
 * The versions (`v`, alone or of `db`'s query) of the LLM `llmId`: by the primary key on
 * PostgreSQL, along its chain on SQLite (its newest `walk` only, when given).
 */
function ofLlm(dialect: DialectName, llmId: string, alias = '', walk?: number) {
  return dialect === 'sqlite' ? sql<boolean>`${sql.raw(alias)}vid in (${chainOf([llmId], walk)})` : sql<boolean>`${sql.ref(`${alias}llm_id`)} = ${llmId}`
}

/** The audit events that an LLM's stored versions record, as audit_events' columns (see listHistory). */
export function eventsInVersions(db: Kysely<Database>, dialect: DialectName, llmId: string) {
  return db
    .selectFrom('llm_versions as v')
    .select([sql<string>`v.event_id`.as('id'), AUDIT_ACTION.as('action'), 'v.changed_fields as fields', 'v.key_id', 'v.at', 'v.version'])
    .where(ofLlm(dialect, llmId, 'v.'))
    .where('v.event_id', 'is not', null)
}

/** audit_events' columns, as removeVersions and pruneVersions fill them. */
const EVENT_COLUMNS = ['id', 'llm_id', 'organization_id', 'key_id', 'action', 'fields', 'subject', 'at', 'version'] as const

/** The audit event that a version (`v`) records, as EVENT_COLUMNS, its LLM's owner in the column `organization`. */
const eventOfVersion = <O extends string>(organization: O) =>
  [
    sql<string | null>`v.event_id`.as('id'),
    'v.llm_id',
    `${organization} as organization_id`,
    'v.key_id',
    AUDIT_ACTION.as('action'),
    'v.changed_fields as fields',
    sql<null>`null`.as('subject'),
    'v.at',
    'v.version',
  ] as const

/** The audit event that a version (`v`, of the LLM `l`) records, as EVENT_COLUMNS. */
const EVENT_OF_VERSION = eventOfVersion('l.created_by_organization_id')

/**
 * SQLite: deletes the versions of the LLMs `llmIds` past their newest `kept` (or all of them),
 * keeping the audit events they record: copied into audit_events first, an event already there
 * left as it is (so a sweep that repeats after a failure copies nothing twice; versions written
 * before migration 0007 record none, theirs is there already). Run inside the caller's
 * transaction. PostgreSQL deletes and copies in one statement instead (see withEventsKept).
 *
 * Each LLM's chain is walked once (see chainOf), its floor and owner carried down from its row,
 * and the versions found go to a table of this connection's own (`temp.swept_versions`), from
 * which the copy and the delete take them by rowid. Two walks, one for each, that looked up the
 * LLM's row at every version, cost the sweep about twice as much (see docs/decisions.md).
 */
async function removeVersions(db: Kysely<Database>, llmIds: readonly string[], kept: number | 'all'): Promise<void> {
  const floor = kept === 'all' ? sql`l.version` : sql`l.version - ${kept}`
  await sql`create temp table if not exists swept_versions (vid integer primary key, organization_id text)`.execute(db)
  await sql`insert into temp.swept_versions (vid, organization_id)
    with recursive chain(vid, prev, llm_id, version, floor, organization_id) as (
      select v.vid, v.prev, v.llm_id, v.version, ${floor}, l.created_by_organization_id
        from llms as l cross join llm_versions as v on v.vid = l.versions_head where l.id in (${sql.join(llmIds)})
      union all select v.vid, v.prev, v.llm_id, v.version, c.floor, c.organization_id
        from chain as c cross join llm_versions as v on v.vid = c.prev and v.llm_id = c.llm_id)
    select vid, organization_id from chain where version <= floor`.execute(db)
  const swept = db.withTables<{ 'temp.swept_versions': { vid: number; organization_id: string | null } }>()
  await swept
    .insertInto('audit_events')
    .columns(EVENT_COLUMNS)
    .expression(
      swept
        .selectFrom('temp.swept_versions as s')
        // A cross join, so that SQLite walks the swept versions and looks each up by its rowid: a
        // table of this connection's own has no statistics, and with an inner join it chose to
        // scan every stored version instead (EXPLAIN QUERY PLAN), which cost a sweep more the
        // larger the database (the PUT on 110,000 records fell to 0.85 of the one on 1,000).
        .crossJoin('llm_versions as v')
        .whereRef(sql.ref('v.vid'), '=', sql.ref('s.vid'))
        .select(eventOfVersion('s.organization_id'))
        .where('v.event_id', 'is not', null),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  await sql`delete from llm_versions where vid in (select vid from temp.swept_versions)`.execute(db)
  await sql`delete from temp.swept_versions`.execute(db)
}

/** An LLM whose versions past the kept ones a sweep deletes (see pruneVersions). */
export interface Unswept {
  id: string
  /** Its newest version that the sweeping instance wrote. */
  newest: number
  /** PostgreSQL: a version at and below which every version of the LLM is known deleted (0: none known). */
  above: number
}

/**
 * Deletes the versions of the LLMs `llms` past their newest `kept`, and keeps the audit events
 * they record (see withEventsKept, removeVersions), in one transaction.
 *
 * On PostgreSQL as one statement: the delete returns the events it removes and feeds their insert,
 * so a version another instance's sweep deleted first is skipped. The LLM's row bounds what goes:
 * never a version it still keeps (above its version − `kept`), and the events name its owner. The
 * row may be another LLM than the one the sweeping instance wrote, deleted and made again under
 * its id by another instance within the sweep's second, whose versions start again from 1 and may
 * have another owner: bounded by the instance's own writes alone, that sweep deleted the new LLM's
 * kept versions and named the old owner on their events. Each LLM's versions are walked
 * by the primary key over (`above`, `newest` − `kept`] alone: versions above that were pushed out
 * by other instances' later writes, which sweep them (or, left by a crash, go at the next write in
 * a process started after it, whose first sweep walks from 0). The walk starts at `above` because
 * a delete leaves its index entries behind until PostgreSQL vacuums the table: an LLM written many
 * times has a long run of dead ones below its oldest kept version, which a walk from its first
 * version reads at every sweep. Measured on tables PostgreSQL had not vacuumed (EXPLAIN ANALYZE of
 * the delete, hand-timed): after about 1,400 writes to each of 100 LLMs, a sweep that found
 * nothing to delete read 1,911 pages in 42 ms walking from each LLM's first version; after about
 * 4,000, one that deleted 6,476 versions walking from the first read 19,317 pages in 167 ms (26 µs
 * a version), and one that deleted 4,000 walking from 40 below each LLM's floor, 4,551 pages in
 * 27 ms (7 µs a version). Earlier statements that read every version of each LLM, kept ones included,
 * cost about 100 µs an event moved.
 */
export async function pruneVersions(db: Kysely<Database>, dialect: DialectName, llms: readonly Unswept[], kept: number): Promise<void> {
  const llmIds = llms.map((llm) => llm.id)
  if (dialect === 'postgres') {
    // Set-returning functions side by side in a select list run in step: one row per LLM.
    const given = db
      .selectNoFrom([
        sql<string>`unnest(${llmIds}::text[])`.as('id'),
        sql<number>`unnest(${llms.map((llm) => llm.above)}::int[])`.as('above'),
        sql<number>`unnest(${llms.map((llm) => llm.newest - kept)}::int[])`.as('floor'),
      ])
      .as('u')
    // Each LLM's bounds and owner, from its row. `offset 0` keeps this a query of its own: folded
    // into the delete, PostgreSQL took the row's version as a filter and walked each LLM's
    // versions twice by bitmaps (EXPLAIN ANALYZE) instead of one range of the primary key.
    const swept = db
      .selectFrom(given)
      .innerJoin('llms as l', 'l.id', 'u.id')
      .select(['u.id', 'u.above', sql<number>`least(u.floor, l.version - ${kept})`.as('floor'), 'l.created_by_organization_id as organization_id'])
      .modifyEnd(sql`offset 0`)
      .as('s')
    const gone = db
      .deleteFrom('llm_versions as v')
      .using(swept)
      .whereRef('v.llm_id', '=', 's.id')
      .whereRef('v.version', '>', 's.above')
      .whereRef('v.version', '<=', 's.floor')
      .returning(eventOfVersion('s.organization_id'))
    await withEventsKept(db, gone)
    return
  }
  await db.transaction().execute((trx) => removeVersions(trx, llmIds, kept))
}

const ENTRY_COLUMNS = ['version', 'at', 'action', 'key_id', 'changed_fields', 'restored_from'] as const

function entryOf(row: Pick<Selectable<LlmVersionsTable>, (typeof ENTRY_COLUMNS)[number]>): VersionEntry {
  return {
    version: row.version,
    at: row.at,
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
function keptVersions(db: Kysely<Database>, dialect: DialectName, llmId: string, kept: number, newest?: number) {
  // The chain runs newest first, so the kept ones (and a page's) are the first of its walk: an
  // LLM with many versions past the kept ones, or with all of them kept, is not walked to its end.
  const walk = newest ?? (kept > 0 ? kept : undefined)
  let query = db.selectFrom('llm_versions').where(ofLlm(dialect, llmId, '', walk))
  if (kept > 0) {
    query = query.where('version', '>', (eb) =>
      eb.selectFrom('llms').select(sql<number>`"llms"."version" - ${kept}`.as('floor')).where('id', '=', llmId),
    )
  }
  return query
}

/**
 * PostgreSQL: runs `gone`, a delete of versions that returns the audit events they record (as
 * EVENT_COLUMNS), and inserts those events, as one statement. Every delete of versions that keeps
 * their events goes this way, so each locks the versions it deletes before it inserts an event:
 * two of them at once (a sweep, the delete of the LLM) wait for each other's versions, never one
 * for the other's event while the other waits for its version, which PostgreSQL would break by
 * failing one of them as a deadlock.
 */
async function withEventsKept(db: Kysely<Database>, gone: OperationNodeSource): Promise<void> {
  const columns = sql.join(EVENT_COLUMNS.map((c) => sql.ref(c)))
  await sql`with gone as (${gone}) insert into audit_events (${columns}) select ${columns} from gone where id is not null on conflict (id) do nothing`.execute(db)
}

/**
 * Deletes every stored version of the LLM `llmId`, keeping the audit events they record (see
 * withEventsKept, removeVersions), inside the caller's transaction, before the LLM's row goes (the
 * events take its organization from it; on SQLite it heads the chain of the versions).
 */
export async function deleteVersionsOf(db: Kysely<Database>, dialect: DialectName, llmId: string): Promise<void> {
  if (dialect === 'postgres') {
    await withEventsKept(db, db.deleteFrom('llm_versions as v').using('llms as l').where('v.llm_id', '=', llmId).whereRef('l.id', '=', 'v.llm_id').returning(EVENT_OF_VERSION))
    return
  }
  await removeVersions(db, [llmId], 'all')
}

/** An LLM's kept versions, newest first. */
export async function listVersions(db: Kysely<Database>, dialect: DialectName, llmId: string, kept: number, limit: number, offset: number) {
  const [rows, count] = await Promise.all([
    keptVersions(db, dialect, llmId, kept, offset + limit).select(ENTRY_COLUMNS).orderBy('version', 'desc').limit(limit).offset(offset).execute(),
    keptVersions(db, dialect, llmId, kept).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(entryOf), total: Number(count.n) }
}

export async function findVersion(
  db: Kysely<Database>,
  dialect: DialectName,
  llmId: string,
  kept: number,
  version: number,
): Promise<VersionSnapshot | undefined> {
  const row = await keptVersions(db, dialect, llmId, kept).selectAll().where('version', '=', version).executeTakeFirst()
  if (row === undefined) return undefined
  return {
    ...entryOf(row),
    settings: parseJson<LlmSettings>(row.settings),
    hasSecret: Boolean(row.has_secret),
    secretUpdatedAt: row.secret_updated_at,
  }
}
