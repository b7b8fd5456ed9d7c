/** Entity tags from the record's version column, and If-Match / If-None-Match as RFC 9110 reads them. */
import { AppError } from '../domain/errors.js'
import type { VersionCheck } from '../domain/llm-service.js'

export function etagOf(version: number): string {
  return `"${version}"`
}

function tagsIn(header: string): string[] {
  return header.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')
}

/** An entity tag as RFC 9110 writes one: in quotes, weak with `W/` before them. */
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/

/**
 * The tags of a write's precondition header, or a 400 when it names none or is not `*` or entity
 * tags: `If-Match: 12` (unquoted) or an empty `If-Match:` would otherwise fail as "the LLM has
 * changed", which no retry can mend, and `If-None-Match: 12` would hold whatever the version.
 */
function writeTagsOf(name: string, header: string): string[] {
  const tags = tagsIn(header)
  if (tags.length === 0) throw new AppError('bad_request', `${name} is empty: give * or an ETag in quotes, as the ETag header gives it (for example "3")`)
  if ((tags.length === 1 && tags[0] === '*') || tags.every((tag) => ENTITY_TAG.test(tag))) return tags
  throw new AppError('bad_request', `${name} must be * or ETags in quotes, as the ETag header gives them (for example "3")`)
}

/**
 * The version check of a write's If-Match (strong comparison) and If-None-Match (weak comparison)
 * headers, as RFC 9110 evaluates them for a method other than GET: both must hold. Undefined when
 * there is neither. The LLM exists whenever a check runs, so `If-Match: *` always holds and
 * `If-None-Match: *` never does.
 */
export function preconditions(headers: { 'if-match'?: string | undefined; 'if-none-match'?: string | undefined }): VersionCheck | undefined {
  const match = headers['if-match']
  const noneMatchHeader = headers['if-none-match']
  if (match === undefined && noneMatchHeader === undefined) return undefined
  const matchTags = match === undefined ? undefined : writeTagsOf('If-Match', match)
  const noneMatchTags = noneMatchHeader === undefined ? undefined : writeTagsOf('If-None-Match', noneMatchHeader).map(withoutWeakness)
  return (version) => {
    const etag = etagOf(version)
    if (matchTags !== undefined && !matchTags.includes('*') && !matchTags.includes(etag)) return 'The LLM has changed since the version given in If-Match'
    if (noneMatchTags?.includes('*') === true) return 'The LLM exists, and If-None-Match: * asks that it not'
    if (noneMatchTags?.includes(etag) === true) return 'The LLM is at a version If-None-Match names'
    return undefined
  }
}

const withoutWeakness = (tag: string) => tag.replace(/^W\//, '')

/** Whether a GET's If-None-Match header names the current version (weak comparison): 304. A write's is read by `preconditions`. */
export function noneMatch(header: string | undefined, version: number): boolean {
  return noneMatchTag(header, etagOf(version))
}

/** The same, for an entity tag already made. */
export function noneMatchTag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const tags = tagsIn(header).map(withoutWeakness)
  return tags.includes('*') || tags.includes(etag)
}
