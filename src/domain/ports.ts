/** What the domain needs from storage and crypto; implemented in src/storage and src/crypto. */
import type { LlmSettings, StoredLlm } from './llm.js'

export interface ListQuery {
  organizationId: string
  includeDefaults: boolean
  /** A case-insensitive substring, matched literally (`%` and `_` are plain characters). */
  search: string | null
  limit: number
  offset: number
}

export interface ListResult {
  items: StoredLlm[]
  total: number
}

/**
 * Decides, with the current row locked, what the row becomes: the record to write (its version
 * is set by the repository), or null to leave it as it is. Throwing aborts and changes nothing.
 */
export type Decide = (current: StoredLlm | undefined) => StoredLlm | null

export type AuditAction = 'create' | 'update' | 'delete' | 'secret-reencrypt' | 'key-create' | 'key-revoke'

/** One recorded change: who (the API key id, or `operator`), when, and which fields (never values). */
export interface AuditEntry {
  id: string
  action: AuditAction
  fields: string[]
  keyId: string
  at: string
  version: number | null
}

export type VersionAction = 'create' | 'update' | 'restore' | 'secret'

/** One version of an LLM as its list shows it. */
export interface VersionEntry {
  version: number
  at: string
  action: VersionAction
  /** The API key that made it, or `operator`. */
  keyId: string
  changedFields: string[]
  /** For a restore: the version whose settings it applied. */
  restoredFrom: number | null
}

/** A version with what the LLM held then: every setting, and whether a credential was set (never the credential). */
export interface VersionSnapshot extends VersionEntry {
  settings: LlmSettings
  hasSecret: boolean
  secretUpdatedAt: string | null
}

/**
 * Storage of LLMs. Every change is recorded in the audit trail, in the same transaction, as done
 * `by` the given key id.
 */
export interface LlmRepository {
  list(query: ListQuery): Promise<ListResult>
  findById(id: string): Promise<StoredLlm | undefined>
  insert(llm: StoredLlm, by: string): Promise<void>
  /**
   * Atomically reads, decides and writes one record, with its snapshot of the new version;
   * returns what is stored afterwards. `restoredFrom` marks the change as a restore of that version.
   */
  modify(id: string, decide: Decide, by: string, restoredFrom?: number): Promise<StoredLlm | undefined>
  /** Atomically checks (by throwing) and deletes one record. */
  remove(id: string, check: (current: StoredLlm | undefined) => void, by: string): Promise<void>
  /** An LLM's audit trail, newest first. */
  history(id: string, limit: number, offset: number): Promise<{ items: AuditEntry[]; total: number }>
  /** An LLM's versions that are kept, newest first. */
  versions(id: string, limit: number, offset: number): Promise<{ items: VersionEntry[]; total: number }>
  /** One kept version with its settings, or undefined. */
  version(id: string, version: number): Promise<VersionSnapshot | undefined>
}

/** Seals a credential for one record and opens it again; the record id binds the two. */
export interface SecretSealer {
  seal(plaintext: string, llmId: string): string
  open(sealed: string, llmId: string): string
}

/** A sealer that can also say which keys it holds: what key rotation needs. */
export interface SecretKeyring extends SecretSealer {
  /** The id of the key new secrets are sealed under. */
  readonly keyId: string
  /** Whether a secret sealed under this key id can be opened. */
  knows(keyId: string): boolean
}

/** The stored credentials, seen as sealed text (for key checks and rotation). */
export interface SealedSecretStore {
  /** The distinct key ids the stored secrets are sealed under. */
  keyIdsInUse(): Promise<string[]>
  /** Up to `limit` secrets sealed under another key than `keyId`. */
  sealedNotUnder(keyId: string, limit: number): Promise<{ llmId: string; sealed: string }[]>
  /** Replaces a sealed secret if it is still `old`, auditing it as the operator's; false when it changed meanwhile. */
  replaceSealed(llmId: string, old: string, sealed: string): Promise<boolean>
  countNotUnder(keyId: string): Promise<number>
}
