/**
 * Indexes that answer the list endpoint's two walks (own, global) and their counts without
 * touching the table. SQLite's also carry search_text, so a search filters inside the index;
 * PostgreSQL keeps search_text out (a btree entry has a size limit) and searches with pg_trgm.
 * Shipped: never edit, add a new file.
 */
import { sql, type Kysely, type Migration } from 'kysely'
import type { DialectName } from '../schema.js'

export function listIndexes(dialect: DialectName): Migration {
  const extra = dialect === 'sqlite' ? ', is_default, search_text' : ', is_default'
  return {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('llms_owner_order').execute()
      await db.schema.dropIndex('llms_global_order').execute()
      await sql`create index llms_owner_list on llms (created_by_organization_id, created_at desc, id desc${sql.raw(extra)})`.execute(db)
      await sql`create index llms_global_list on llms (is_global, created_at desc, id desc, created_by_organization_id${sql.raw(extra)})`.execute(db)
    },
  }
}
