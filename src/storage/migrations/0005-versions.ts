/**
 * A snapshot of an LLM's settings at every version (never its secret: only whether one was set,
 * and when), so an earlier version can be seen, compared and restored. Existing LLMs get one
 * snapshot of what they hold now. Shipped: never edit.
 */
import type { Kysely, Migration } from 'kysely'
import type { DialectName } from '../schema.js'
import { fromRow } from '../llm-repository.js'
import { snapshotRowOf } from '../versions.js'

export function versions(dialect: DialectName): Migration {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('llm_versions')
        .addColumn('llm_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('at', pg ? 'timestamptz' : 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('changed_fields', pg ? 'jsonb' : 'text', (c) => c.notNull())
        .addColumn('restored_from', 'integer')
        .addColumn('settings', pg ? 'jsonb' : 'text', (c) => c.notNull())
        .addColumn('has_secret', pg ? 'boolean' : 'integer', (c) => c.notNull())
        .addColumn('secret_updated_at', pg ? 'timestamptz' : 'text')
        .addPrimaryKeyConstraint('llm_versions_pk', ['llm_id', 'version'])
        .execute()
      let after = ''
      for (;;) {
        const page = await db.selectFrom('llms').selectAll().where('id', '>', after).orderBy('id').limit(500).execute()
        if (page.length === 0) break
        const rows = page.map((row) => {
          const llm = fromRow(row as Parameters<typeof fromRow>[0])
          return snapshotRowOf(llm, {
            action: llm.version === 1 ? 'create' : 'update',
            keyId: 'operator',
            changedFields: [],
            at: llm.updatedAt ?? llm.createdAt,
          })
        })
        await db.insertInto('llm_versions').values(rows).execute()
        after = String(page[page.length - 1]?.id)
      }
    },
  }
}
