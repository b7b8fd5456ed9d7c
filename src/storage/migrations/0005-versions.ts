/**
 * A snapshot of an LLM's settings at every version (never its secret: only whether one was set,
 * and when), so an earlier version can be seen, compared and restored. Existing LLMs get one
 * snapshot of what they hold now. Shipped: never edit.
 */
import type { Kysely, Migration } from 'kysely'
import type { DialectName } from '../schema.js'

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
        // Written from the columns as they are in this schema, not through the live code, so that
        // replaying this migration later does what it did when it shipped.
        const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value)
        const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : (value as string | null))
        const rows = page.map((row) => ({
          llm_id: row.id,
          version: row.version,
          at: iso(row.updated_at) ?? iso(row.created_at),
          action: row.version === 1 ? 'create' : 'update',
          key_id: 'operator',
          changed_fields: '[]',
          restored_from: null,
          settings: JSON.stringify({
            displayName: row.display_name,
            description: row.description,
            llmFormat: row.llm_format,
            urls: json(row.urls),
            modelName: row.model_name,
            temperature: row.temperature,
            maxTokens: row.max_tokens,
            deploymentName: row.deployment_name,
            apiVersion: row.api_version,
            metadata: json(row.metadata),
            reasoningEffort: row.reasoning_effort,
            reasoningFormat: row.reasoning_format,
          }),
          has_secret: row.secret_sealed === null ? 0 : 1,
          secret_updated_at: iso(row.secret_updated_at),
        }))
        await db.insertInto('llm_versions').values(rows).execute()
        after = String(page[page.length - 1]?.id)
      }
    },
  }
}
