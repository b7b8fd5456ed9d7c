/** Column values as the two drivers return them, read back into one shape. */

/**
 * PostgreSQL's text for a timestamptz, as the ISO 8601 text `Date.toISOString` gives (what the
 * service writes and returns), so that a timestamp is text on both dialects, and without making
 * a Date: pg's own parser runs three regular expressions and makes a Date for every timestamp of
 * every row, and the service turned each back into text (a list page of ten rows read thirty).
 * Handled here: the text PostgreSQL writes with its default DateStyle in the UTC time zone
 * (`2026-12-08 01:47:01.123456+00`), cut to the millisecond as a Date would be. Anything else
 * (another time zone, a year past 9999, BC, infinity) goes to `other`, pg's own parser, and a
 * Date it returns is written as ISO text.
 * By `npm run bench -- --pg --only 'GET /v1/llms?page' --against <the build before> --rounds 6`:
 * the list page 1.05 (pairs 1.01–1.10), 339 against 367 µs of the service's CPU a request.
 */
export function isoOfTimestamptz(text: string, other: (text: string) => unknown): unknown {
  const n = text.length
  if (n >= 22 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32 && text.endsWith('+00')) {
    const time = `${text.slice(0, 10)}T${text.slice(11, 19)}`
    if (n === 22) return `${time}.000Z`
    if (text.charCodeAt(19) === 46 && n <= 29) return `${time}.${text.slice(20, Math.min(23, n - 3)).padEnd(3, '0')}Z`
  }
  const parsed = other(text)
  return parsed instanceof Date ? parsed.toISOString() : parsed
}

/** JSON columns: text on SQLite, already parsed (jsonb) on PostgreSQL. */
export function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

/** The list's order: newest first, then the larger id (the same in SQL and in the search index). */
export function newestFirst(a: { at: string; id: string }, b: { at: string; id: string }): number {
  return a.at === b.at ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.at < b.at ? 1 : -1
}
