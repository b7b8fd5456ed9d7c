/** The tables as Kysely sees them. Read types cover both dialects (SQLite text/integers, PostgreSQL jsonb/boolean/timestamptz). */
import type { ColumnType } from 'kysely'

/** Written and read back as ISO 8601 text on both: PostgreSQL's timestamptz through isoOfTimestamptz, pg's parser for it. */
type Timestamp = ColumnType<string, string, string>
type NullableTimestamp = ColumnType<string | null, string | null, string | null>
/** Written as 1/0, which both dialects accept; read back as number (SQLite) or boolean (PostgreSQL). */
type Flag = ColumnType<number | boolean, number, number>
/** Written as JSON text; read back as text (SQLite) or parsed (PostgreSQL jsonb). */
type Json = ColumnType<unknown, string, string>

export interface OrganizationsTable {
  id: string
  name: string
  created_at: Timestamp
}

export interface ApiKeysTable {
  id: string
  organization_id: string
  hash: string
  /** Comma-separated permissions, e.g. `llms:read,llms:write`. */
  permissions: string
  created_at: Timestamp
  revoked_at: NullableTimestamp
}

export interface LlmsTable {
  id: string
  display_name: string
  description: string | null
  llm_format: string
  urls: Json
  model_name: string | null
  temperature: number | null
  max_tokens: number | null
  deployment_name: string | null
  api_version: string | null
  metadata: Json
  display_tags: Json
  is_default: Flag
  is_global: Flag
  is_zdr: Flag
  reasoning_effort: string
  reasoning_format: string
  created_by_organization_id: string | null
  created_at: Timestamp
  updated_at: NullableTimestamp
  secret_sealed: string | null
  secret_key_id: string | null
  secret_updated_at: NullableTimestamp
  version: number
  /** Lower-cased displayName, modelName and description, for substring search. */
  search_text: string
}

export interface AuditEventsTable {
  id: string
  llm_id: string | null
  organization_id: string | null
  /** The API key that acted, or `operator` for the CLI. */
  key_id: string
  action: string
  /** JSON array of the names of the changed fields. */
  fields: Json
  /** What a key event is about (the key id). */
  subject: string | null
  at: Timestamp
  version: number | null
}

/** One snapshot per version of an LLM: its settings then, never its secret. */
export interface LlmVersionsTable {
  llm_id: string
  version: number
  at: Timestamp
  /** `create`, `update`, `restore` or `secret` (only the credential changed). */
  action: string
  key_id: string
  /** JSON array of the names of the fields this version changed. */
  changed_fields: Json
  restored_from: number | null
  /** JSON object of every setting (LlmSettings) at this version. */
  settings: Json
  has_secret: Flag
  secret_updated_at: NullableTimestamp
  /**
   * The id of the audit event of the write that made this version; it moves to audit_events when
   * this row is deleted. Null for versions written before 0007 (their events are in audit_events)
   * and for those seeded by the operator (no event).
   */
  event_id: string | null
}

/** The last check of an LLM. */
export interface LlmChecksTable {
  llm_id: string
  checked_at: Timestamp
  ok: Flag
  /** JSON of the whole CheckResult (never a secret). */
  result: Json
}

export interface Database {
  organizations: OrganizationsTable
  api_keys: ApiKeysTable
  llms: LlmsTable
  audit_events: AuditEventsTable
  llm_versions: LlmVersionsTable
  llm_checks: LlmChecksTable
}

export type DialectName = 'sqlite' | 'postgres'

