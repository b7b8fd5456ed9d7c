/**
 * PostgreSQL: search within one organization through one index. 0002's trigram index spans every
 * organization, so the planner weighed a term by how common it is in the whole table: for a common
 * term it counted an organization's matches by reading the whole table (`support` in an
 * organization of 10,000 among 20,000 rows: a sequential scan, 18.8 ms). Keyed by organization
 * first (btree_gin lets a GIN index hold the equality), the candidates are that organization's
 * matches only (5.2 ms; `bot 12` 11.1 → 5.0 ms; a term that matches nothing 7.0 → 0.2 ms;
 * EXPLAIN ANALYZE, hand-timed). The old index goes: nothing else reads it, and an index a write
 * need not keep is one it does not pay for.
 * SQLite searches with its in-memory index (search-index.ts). Shipped: never edit, add a new file.
 */
import { sql, type Kysely, type Migration } from 'kysely'
import type { DialectName } from '../schema.js'

export function ownerSearchIndex(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return
      // btree_gin is a trusted extension (PostgreSQL 13+), as pg_trgm is: the database owner may create it.
      await sql`create extension if not exists btree_gin`.execute(db)
      await sql`create index llms_owner_search on llms using gin (created_by_organization_id, search_text gin_trgm_ops)`.execute(db)
      await sql`drop index llms_search_trgm`.execute(db)
    },
  }
}
