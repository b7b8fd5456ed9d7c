/**
 * A version row records the audit event of the write that made it (its id here), so that a write
 * inserts one row instead of two; the event moves to audit_events when the version is deleted
 * (pruned past the kept ones, or its LLM deleted). Versions written before this have no event id:
 * their events are in audit_events already. Shipped: never edit, add a new file.
 */
import type { Kysely, Migration } from 'kysely'

export function versionEvents(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('llm_versions').addColumn('event_id', 'text').execute()
    },
  }
}
