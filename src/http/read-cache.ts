/**
 * Answers already serialized — an LLM's JSON and ETag, a list or search page — kept per instance
 * and never served stale: every entry belongs to one version of the database, read from the
 * storage's change counter (SQLite's `data_version` on the read connection, which moves on every
 * commit by this process's writer or by any other process) before each lookup. When the version
 * has moved, everything is dropped: coarse, but it cannot miss a change, whoever made it.
 *
 * PostgreSQL has no such counter that a read can check without a round trip (and a cache fed by
 * notifications could serve a stale answer after another instance acknowledged a write). There
 * the cache holds single LLMs only, each kept with its row's stamp (version and xmin, see
 * `KyselyLlmRepository.stampOf`), and a hit needs the stamp read from the database in the same
 * request to be the same: one light round trip instead of reading, decoding and serializing
 * the row. The stamp is read before the row on a miss, so an answer is never kept under a
 * stamp newer than its content. Pages are not cached there (`coversPages`).
 *
 * Bounded in entries and in bytes (the oldest entries go first).
 */
export interface CachedAnswer {
  body: string
  etag?: string
  /** For an LLM: whom it is visible to (checked on every hit, as the domain checks a read). */
  owner?: { createdByOrganizationId: string | null; isGlobal: boolean }
  /** PostgreSQL: the stamp of the row the answer was read from (see stampOf). */
  stamp?: string
}

export interface ReadCacheLimits {
  entries: number
  bytes: number
}

export const DEFAULT_READ_CACHE_LIMITS: ReadCacheLimits = { entries: 10_000, bytes: 8 * 1024 * 1024 }

export class ReadCache {
  private readonly entries = new Map<string, CachedAnswer>()
  private bytes = 0
  private seen: number
  hits = 0
  misses = 0
  /** How often a change of the database version dropped every entry. */
  invalidations = 0

  /** False on PostgreSQL: only single LLMs, each checked against its row's stamp. */
  readonly coversPages: boolean
  /** PostgreSQL: reads the stamp an entry for this LLM must have to be served (see `get`). */
  readonly stampOf: ((id: string) => Promise<string | undefined>) | undefined
  private readonly versionOf: () => number

  /**
   * `coherence`: the database's change counter (SQLite), or how to read a row's stamp
   * (PostgreSQL).
   */
  constructor(
    coherence: { changeVersion: () => number } | { rowStamp: (id: string) => Promise<string | undefined> },
    private readonly limits: ReadCacheLimits = DEFAULT_READ_CACHE_LIMITS,
  ) {
    if ('changeVersion' in coherence) {
      this.versionOf = coherence.changeVersion
      this.coversPages = true
    } else {
      this.versionOf = () => 0
      this.stampOf = coherence.rowStamp
      this.coversPages = false
    }
    this.seen = this.versionOf()
  }

  /** The version read in this turn of the event loop (see `version`). */
  private turnVersion: number | undefined
  private readonly endTurn = () => {
    this.turnVersion = undefined
  }

  /**
   * The database version now, dropping every entry when it moved. Call it before reading the
   * database for an answer to `put`, and before `get`.
   *
   * It is read once per turn of the event loop and reused by the requests served in that turn.
   * That is still never stale: every request served in a turn had fully arrived before the turn
   * began, so it was sent before any write acknowledged after the version was read; a write
   * acknowledged earlier had committed, and the version read shows it. (Reading `data_version`
   * opens a read transaction: about 13 µs a request on this machine when read for each.)
   */
  version(): number {
    if (this.turnVersion !== undefined) return this.turnVersion
    const now = this.versionOf()
    this.turnVersion = now
    setImmediate(this.endTurn)
    if (now !== this.seen) {
      this.seen = now
      if (this.entries.size > 0) this.invalidations++
      this.entries.clear()
      this.bytes = 0
    }
    return now
  }

  /**
   * The answer kept for `key` at the version `version()` just returned, if any; with `stamp`
   * (PostgreSQL), only if it was read from the row at that stamp.
   */
  get(key: string, stamp?: string): CachedAnswer | undefined {
    const hit = this.entries.get(key)
    if (hit === undefined || hit.stamp !== stamp) {
      this.misses++
      return undefined
    }
    this.hits++
    return hit
  }

  /**
   * Keeps an answer read after `version()` returned `version`. If the database moved meanwhile
   * (and a later `version()` saw it), the answer is not kept; if no one has looked yet, the next
   * `version()` drops it with the rest. Either way a stale answer is never served.
   */
  put(key: string, answer: CachedAnswer, version: number): void {
    if (version !== this.seen) return
    const size = key.length + answer.body.length + 64
    if (size > this.limits.bytes / 16) return
    const old = this.entries.get(key)
    if (old !== undefined) {
      this.entries.delete(key)
      this.bytes -= key.length + old.body.length + 64
    }
    while (this.entries.size > 0 && (this.entries.size >= this.limits.entries || this.bytes + size > this.limits.bytes)) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedAnswer]
      this.entries.delete(oldestKey)
      this.bytes -= oldestKey.length + oldest.body.length + 64
    }
    this.entries.set(key, answer)
    this.bytes += size
  }

  stats(): { entries: number; bytes: number; hits: number; misses: number; invalidations: number } {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses, invalidations: this.invalidations }
  }
}
