/**
 * The audit trail: events are written in the transaction of the change they record. A write's
 * event lives in its version row until that row is deleted, then here (see removeVersions and
 * pruneVersions in versions.ts); every other event is written here directly.
 */
import { v7 as timeOrderedUuid } from 'uuid'
import type { Kysely } from 'kysely'
import { eventsInVersions } from './versions.js'
import type { AuditAction, AuditEntry } from '../domain/ports.js'
import type { Database, DialectName } from './schema.js'
import { parseJson } from './values.js'

/** Who acted when no API key did: the operator's CLI. */
export const OPERATOR = 'operator'

export interface NewAuditEvent {
  action: AuditAction
  keyId: string
  llmId?: string
  organizationId?: string | null
  fields?: string[]
  subject?: string
  version?: number
}

export async function recordEvent(db: Kysely<Database>, event: NewAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(auditRowOf(event)).execute()
}

/**
 * The row an event is stored as. Its id is a time-ordered UUID (version 7): each new event's key
 * lands at the right edge of the primary key's index, one page every write shares, where a random
 * id would dirty (and first read) a random page of an index that grows with every write.
 */
export function auditRowOf(event: NewAuditEvent) {
  return {
    id: newEventId(),
    llm_id: event.llmId ?? null,
    organization_id: event.organizationId ?? null,
    key_id: event.keyId,
    action: event.action,
    fields: JSON.stringify(event.fields ?? []),
    subject: event.subject ?? null,
    at: new Date().toISOString(),
    version: event.version ?? null,
  }
}

/** A new event's id: see auditRowOf. */
export function newEventId(): string {
  return timeOrderedUuid()
}

/**
 * An LLM's events, newest first. The events of its writes (create, update, restore, secret) are
 * recorded by the version rows those writes make, and move here when the version is deleted (see
 * removeVersions and pruneVersions): so the trail is both tables, each event in exactly one of them.
 */
export async function listHistory(
  db: Kysely<Database>,
  dialect: DialectName,
  llmId: string,
  limit: number,
  offset: number,
): Promise<{ items: AuditEntry[]; total: number }> {
  const moved = db.selectFrom('audit_events').select(['id', 'action', 'fields', 'key_id', 'at', 'version']).where('llm_id', '=', llmId)
  const inVersions = eventsInVersions(db, dialect, llmId)
  const [rows, counts] = await Promise.all([
    // Ordered and limited as one compound query, so that each side is read in order of version
    // and the two are merged (SQLite: MERGE (UNION ALL); PostgreSQL: Merge Append), instead of
    // every event of the LLM being read and sorted for one page. (On SQLite the versions' side is
    // its LLM's chain, walked whole and sorted: the stored versions, the kept ones and any not
    // swept yet; see versions.ts.)
    moved.unionAll(inVersions).orderBy('version', 'desc').orderBy('at', 'desc').limit(limit).offset(offset).execute(),
    // Both tables counted by one statement, so in one snapshot: counted by two, a sweep that
    // moved events between them in between left the total short of (or past) the events its
    // page showed.
    db
      .selectNoFrom((eb) => [
        moved.clearSelect().select(eb.fn.countAll<number>().as('n')).as('moved'),
        inVersions.clearSelect().select(eb.fn.countAll<number>().as('n')).as('stored'),
      ])
      .executeTakeFirstOrThrow(),
  ])
  return {
    total: Number(counts.moved) + Number(counts.stored),
    items: rows.map((row) => ({
      id: row.id,
      action: row.action as AuditAction,
      fields: parseJson<string[]>(row.fields),
      keyId: row.key_id,
      at: row.at,
      version: row.version,
    })),
  }
}
