/**
 * Substring search without a scan of the table (SQLite files): for each organization that
 * searches, the search text of every LLM it sees (its own and the global ones), newest first, in
 * memory, with a map from each three-character sequence to the entries that hold it (pg_trgm's
 * idea). A term of three characters or more checks only the entries that hold its rarest
 * sequence; a shorter one scans the joined texts with `indexOf`. Either way the exact total and
 * the page's ids come from one pass, instead of `LIKE '%…%'` over every row.
 *
 * Coherent like the read cache: each organization's entries belong to one `data_version` of the
 * read connection, read before they were built; a search first reads the version and rebuilds
 * when any connection (this process's writer, another process) has committed since. The match is
 * the SQL path's: `search_text` holds the lower-cased fields, the term is lower-cased the same
 * way, and a substring test treats `%`, `_` and `\` literally, as the escaped LIKE does.
 *
 * Bounded: at most `maxRows` entries over all organizations (the least recently searched go).
 */
import { newestFirst } from './values.js'
import type { SqliteReader } from './database.js'

/**
 * One organization's view: the search texts of its entries joined into one string, each followed
 * by NUL (which no stored text and no accepted term can hold, so no match spans two entries), so
 * a search is a few `indexOf` calls over one flat string rather than one call per entry.
 */
interface OrgIndex {
  version: number
  ids: string[]
  isDefault: Uint8Array
  /** Where each entry's text starts in `joined`; one more at the end (its length). */
  starts: Int32Array
  joined: string
  /** For each three-character sequence, the entries that hold it (ascending: newest first). */
  trigrams: Map<string, Int32Array>
}

/** The entries (ascending) whose text holds every three-character sequence of `needle`, or all when it is shorter. */
function candidates(index: OrgIndex, needle: string): Int32Array | undefined {
  if (needle.length < 3) return undefined
  let best: Int32Array | undefined
  for (let i = 0; i + 3 <= needle.length; i++) {
    const posting = index.trigrams.get(needle.slice(i, i + 3))
    if (posting === undefined) return new Int32Array(0)
    if (best === undefined || posting.length < best.length) best = posting
  }
  return best
}

function trigramsOf(texts: string[]): Map<string, Int32Array> {
  const lists = new Map<string, number[]>()
  texts.forEach((text, entry) => {
    for (let i = 0; i + 3 <= text.length; i++) {
      const gram = text.slice(i, i + 3)
      const list = lists.get(gram)
      if (list === undefined) lists.set(gram, [entry])
      else if (list[list.length - 1] !== entry) list.push(entry)
    }
  })
  const trigrams = new Map<string, Int32Array>()
  for (const [gram, list] of lists) trigrams.set(gram, Int32Array.from(list))
  return trigrams
}

const VISIBLE_SQL =
  'select "id", "created_at", "search_text", "is_default" from "llms" ' +
  'where "created_by_organization_id" = ? or ("is_global" = 1 and ("created_by_organization_id" is null or "created_by_organization_id" != ?))'

export class SearchIndex {
  private readonly orgs = new Map<string, OrgIndex>()
  private rows = 0
  builds = 0

  constructor(
    private readonly reader: SqliteReader,
    private readonly maxRows = 200_000,
  ) {}

  /** The ids of one page of matches, newest first, and how many match in all. */
  search(organizationId: string, term: string, includeDefaults: boolean, offset: number, limit: number): { ids: string[]; total: number } {
    const index = this.indexOf(organizationId)
    const needle = term.toLowerCase()
    const page: string[] = []
    let total = 0
    if (needle.includes('\u0000')) return { ids: page, total }
    const { joined, starts, isDefault, ids } = index
    const count = (entry: number) => {
      if (!includeDefaults && isDefault[entry] === 1) return
      if (total >= offset && page.length < limit) page.push(ids[entry] as string)
      total++
    }
    const only = candidates(index, needle)
    if (only !== undefined) {
      // Only the entries that hold the rarest three characters of the term can match: check those.
      for (const entry of only) {
        if (joined.slice(starts[entry] as number, starts[entry + 1] as number).includes(needle)) count(entry)
      }
      return { ids: page, total }
    }
    let entry = 0
    let at = joined.indexOf(needle)
    while (at !== -1) {
      // Matches come in order: walk forward to the entry that holds this one.
      while ((starts[entry + 1] as number) <= at) entry++
      count(entry)
      at = joined.indexOf(needle, starts[entry + 1] as number)
    }
    return { ids: page, total }
  }

  private indexOf(organizationId: string): OrgIndex {
    const version = this.reader.dataVersion()
    const known = this.orgs.get(organizationId)
    if (known !== undefined) {
      this.orgs.delete(organizationId)
      this.rows -= known.ids.length
      if (known.version === version) {
        // Most recently used last: the eviction below takes the first.
        this.orgs.set(organizationId, known)
        this.rows += known.ids.length
        return known
      }
    }
    const rows = this.reader.statement(VISIBLE_SQL).all(organizationId, organizationId) as {
      id: string
      created_at: string
      search_text: string
      is_default: number | boolean
    }[]
    const entries = rows
      .map((row) => ({ id: row.id, at: row.created_at, text: row.search_text, isDefault: Boolean(row.is_default) }))
      .sort(newestFirst)
    const starts = new Int32Array(entries.length + 1)
    let length = 0
    entries.forEach((entry, i) => {
      starts[i] = length
      length += entry.text.length + 1
    })
    starts[entries.length] = length
    const index: OrgIndex = {
      version,
      ids: entries.map((entry) => entry.id),
      isDefault: Uint8Array.from(entries, (entry) => (entry.isDefault ? 1 : 0)),
      starts,
      joined: entries.map((entry) => `${entry.text}\u0000`).join(''),
      trigrams: trigramsOf(entries.map((entry) => entry.text)),
    }
    this.builds++
    while (this.orgs.size > 0 && this.rows + entries.length > this.maxRows) {
      const [oldest, evicted] = this.orgs.entries().next().value as [string, OrgIndex]
      this.orgs.delete(oldest)
      this.rows -= evicted.ids.length
    }
    if (entries.length <= this.maxRows) {
      this.orgs.set(organizationId, index)
      this.rows += entries.length
    }
    return index
  }
}
