/**
 * SQLite: an LLM's versions form a chain instead of an index. The primary key (llm_id, version)
 * put every write's new version on a page of its own LLM's part of the index, so a commit of ten
 * writes to ten LLMs dirtied, logged and checkpointed ten pages of it (about one WAL page a write,
 * half of all a write's pages: docs/decisions.md, "Where a write's pages go"). Now each version is
 * appended under a rowid (`vid`), every write's on the same last page, and points to the one
 * before it of its LLM (`prev`, 0 for none); the LLM's row, which every write rewrites anyway,
 * points to its newest (`versions_head`). Reads walk the chain from the head (versions.ts).
 *
 * Two triggers stand for what the key enforced, for every insert that leaves `prev` null (all but
 * SQLite's hot update, which links its version in its own statements, on the row it has just read
 * under the write lock): a version must be newer than its LLM's newest, and is then linked in as
 * the newest.
 *
 * PostgreSQL keeps its index: its write waits on round trips, not pages. Shipped: never edit.
 */
import { sql, type Kysely, type Migration } from 'kysely'
import type { DialectName } from '../schema.js'

/** llm_versions' columns as 0005 and 0007 left them. */
const COLUMNS = 'llm_id, version, at, action, key_id, changed_fields, restored_from, settings, has_secret, secret_updated_at, event_id'

export function versionChains(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'sqlite') return
      await sql`create table llm_versions_chained (
        vid integer primary key,
        prev integer,
        llm_id text not null,
        version integer not null,
        at text not null,
        action text not null,
        key_id text not null,
        changed_fields text not null,
        restored_from integer,
        settings text not null,
        has_secret integer not null,
        secret_updated_at text,
        event_id text
      )`.execute(db)
      // Numbered in the order of the old key, each linked to the one before it of its LLM.
      await sql`insert into llm_versions_chained (vid, prev, ${sql.raw(COLUMNS)})
        select vid, coalesce(lag(vid) over (partition by llm_id order by version), 0), ${sql.raw(COLUMNS)}
        from (select row_number() over (order by llm_id, version) as vid, * from llm_versions)`.execute(db)
      await sql`drop table llm_versions`.execute(db)
      await sql`alter table llm_versions_chained rename to llm_versions`.execute(db)
      await sql`alter table llms add column versions_head integer`.execute(db)
      await sql`update llms set versions_head = newest.vid
        from (select llm_id, max(vid) as vid from llm_versions group by llm_id) as newest
        where newest.llm_id = llms.id`.execute(db)
      await sql`create trigger llm_versions_newer before insert on llm_versions when new.prev is null begin
        select raise(abort, 'llm_versions: not newer than the newest version of its LLM')
        where new.version <= (select v.version from llms l join llm_versions v on v.vid = l.versions_head where l.id = new.llm_id);
      end`.execute(db)
      await sql`create trigger llm_versions_link after insert on llm_versions when new.prev is null begin
        update llm_versions set prev = coalesce((select versions_head from llms where id = new.llm_id), 0) where vid = new.vid;
        update llms set versions_head = new.vid where id = new.llm_id;
      end`.execute(db)
    },
  }
}
