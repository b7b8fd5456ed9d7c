/** What the domain needs from storage and crypto; implemented in src/storage and src/crypto. */
import type { StoredLlm } from './llm.js'

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

export interface LlmRepository {
  list(query: ListQuery): Promise<ListResult>
  findById(id: string): Promise<StoredLlm | undefined>
  insert(llm: StoredLlm): Promise<void>
  /** Atomically reads, decides and writes one record; returns what is stored afterwards. */
  modify(id: string, decide: Decide): Promise<StoredLlm | undefined>
  /** Atomically checks (by throwing) and deletes one record. */
  remove(id: string, check: (current: StoredLlm | undefined) => void): Promise<void>
}

/** Seals a credential for one record and opens it again; the record id binds the two. */
export interface SecretSealer {
  seal(plaintext: string, llmId: string): string
  open(sealed: string, llmId: string): string
}
