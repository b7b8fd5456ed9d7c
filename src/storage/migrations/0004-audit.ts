/** The audit trail: who changed what, when (never a secret value). Shipped: never edit. */
import type { Kysely, Migration } from 'kysely'
import type { DialectName } from '../schema.js'

export function audit(dialect: DialectName): Migration {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('llm_id', 'text')
        .addColumn('organization_id', 'text')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('fields', pg ? 'jsonb' : 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('at', pg ? 'timestamptz' : 'text', (c) => c.notNull())
        // The LLM's version after the change: orders an LLM's history exactly, whatever the clock says.
        .addColumn('version', 'integer')
        .execute()
      await db.schema.createIndex('audit_events_llm').on('audit_events').columns(['llm_id', 'version desc']).execute()
    },
  }
}
