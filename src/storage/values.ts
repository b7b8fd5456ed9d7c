/** Column values as the two drivers return them, read back into one shape. */

/** Timestamps: text on SQLite, Date on PostgreSQL; ISO 8601 text either way. */
export function iso(value: string | Date): string {
  return value instanceof Date ? value.toISOString() : value
}

export function isoOrNull(value: string | Date | null): string | null {
  return value === null ? null : iso(value)
}

/** JSON columns: text on SQLite, already parsed (jsonb) on PostgreSQL. */
export function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

/** The list's order: newest first, then the larger id (the same in SQL and in the search index). */
export function newestFirst(a: { at: string; id: string }, b: { at: string; id: string }): number {
  return a.at === b.at ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.at < b.at ? 1 : -1
}
