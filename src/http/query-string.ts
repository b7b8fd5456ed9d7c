/**
 * The query string, read as Fastify's router reads it by default (fast-querystring: `+` is a
 * space, a repeated name gives an array), but a value whose percent-escapes are not UTF-8
 * (`%zz`, `%E2%82`, a lone `%`) is not kept as its raw text, which would make `?search=%FF` a
 * search for the three characters `%FF`, as `?search=%25FF` is: it becomes `MALFORMED`, which
 * validation answers with a 400 naming the parameter (a parameter no route knows stays ignored).
 */
import { parse } from 'fast-querystring'

/** The value of a query parameter whose percent-escapes do not decode (see `parseQueryString`). */
export const MALFORMED: unique symbol = Symbol('malformed percent-encoding')

export function parseQueryString(query: string): Record<string, unknown> {
  if (query.length === 0) return {}
  const parsed = parse(query) as Record<string, unknown>
  // Without a `%` every value decoded (there was nothing to decode).
  if (query.includes('%')) markMalformed(query, parsed)
  return parsed
}

function markMalformed(query: string, parsed: Record<string, unknown>): void {
  for (const pair of query.split('&')) {
    if (!pair.includes('%')) continue
    const equals = pair.indexOf('=')
    const name = decoded(equals === -1 ? pair : pair.slice(0, equals))
    // A name that does not decode is one no route knows; an array is refused as repeated first.
    if (name === undefined || equals === -1 || Array.isArray(parsed[name])) continue
    if (decoded(pair.slice(equals + 1)) === undefined) parsed[name] = MALFORMED
  }
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return undefined
  }
}
