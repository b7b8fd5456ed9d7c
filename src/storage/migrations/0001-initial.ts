/** Organizations, their API keys and the LLM configurations. Shipped: never edit, add a new file. */
import type { Kysely, Migration } from 'kysely'
import type { DialectName } from '../schema.js'

export function initial(dialect: DialectName): Migration {
  const pg = dialect === 'postgres'
  const json = pg ? 'jsonb' : 'text'
  const flag = pg ? 'boolean' : 'integer'
  const timestamp = pg ? 'timestamptz' : 'text'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('revoked_at', timestamp)
        .execute()
      await db.schema.createIndex('api_keys_organization').on('api_keys').column('organization_id').execute()

      await db.schema
        .createTable('llms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('llm_format', 'text', (c) => c.notNull())
        .addColumn('urls', json, (c) => c.notNull())
        .addColumn('model_name', 'text')
        .addColumn('temperature', pg ? 'double precision' : 'real')
        .addColumn('max_tokens', 'integer')
        .addColumn('deployment_name', 'text')
        .addColumn('api_version', 'text')
        .addColumn('metadata', json, (c) => c.notNull())
        .addColumn('display_tags', json, (c) => c.notNull())
        .addColumn('is_default', flag, (c) => c.notNull())
        .addColumn('is_global', flag, (c) => c.notNull())
        .addColumn('is_zdr', flag, (c) => c.notNull())
        .addColumn('reasoning_effort', 'text', (c) => c.notNull())
        .addColumn('reasoning_format', 'text', (c) => c.notNull())
        .addColumn('created_by_organization_id', 'text', (c) => c.references('organizations.id'))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp)
        .addColumn('secret_sealed', 'text')
        .addColumn('secret_key_id', 'text')
        .addColumn('secret_updated_at', timestamp)
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('search_text', 'text', (c) => c.notNull())
        .execute()
      // The list endpoint: an organization's own records, and the global ones, newest first.
      await db.schema
        .createIndex('llms_owner_order')
        .on('llms')
        .columns(['created_by_organization_id', 'created_at desc', 'id desc'])
        .execute()
      await db.schema
        .createIndex('llms_global_order')
        .on('llms')
        .columns(['is_global', 'created_at desc', 'id desc'])
        .execute()
      await db.schema.createIndex('llms_secret_key').on('llms').column('secret_key_id').execute()
    },
  }
}
