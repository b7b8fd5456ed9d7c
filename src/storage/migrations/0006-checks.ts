/** The last check of each LLM (so a list can show which configurations work without spending again). Shipped: never edit. */
import type { Kysely, Migration } from 'kysely'
import type { DialectName } from '../schema.js'

export function checks(dialect: DialectName): Migration {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('llm_checks')
        .addColumn('llm_id', 'text', (c) => c.primaryKey())
        .addColumn('checked_at', pg ? 'timestamptz' : 'text', (c) => c.notNull())
        .addColumn('ok', pg ? 'boolean' : 'integer', (c) => c.notNull())
        .addColumn('result', pg ? 'jsonb' : 'text', (c) => c.notNull())
        .execute()
    },
  }
}
