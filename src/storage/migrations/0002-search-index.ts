/** Substring search that does not scan: a trigram index on PostgreSQL. Shipped: never edit. */
import { sql, type Kysely, type Migration } from 'kysely'
import type { DialectName } from '../schema.js'

export function searchIndex(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return
      // pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
      await sql`create extension if not exists pg_trgm`.execute(db)
      await sql`create index llms_search_trgm on llms using gin (search_text gin_trgm_ops)`.execute(db)
    },
  }
}
