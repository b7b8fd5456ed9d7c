/** Entity tags from the record's version column, and If-Match / If-None-Match as RFC 9110 reads them. */
import type { VersionCheck } from '../domain/llm-service.js'

export function etagOf(version: number): string {
  return `"${version}"`
}

function tagsIn(header: string): string[] {
  return header.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')
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
  const matchTags = match === undefined ? undefined : tagsIn(match)
  return (version) => {
    if (matchTags !== undefined && !matchTags.includes('*') && !matchTags.includes(etagOf(version))) {
      return 'The LLM has changed since the version given in If-Match'
    }
    if (noneMatchHeader !== undefined && noneMatch(noneMatchHeader, version)) {
      return noneMatchHeader.trim() === '*' ? 'The LLM exists, and If-None-Match: * asks that it not' : 'The LLM is at a version If-None-Match names'
    }
    return undefined
  }
}

/** Whether an If-None-Match header names the current version (weak comparison): 304 on a GET, 412 on a write. */
export function noneMatch(header: string | undefined, version: number): boolean {
  return noneMatchTag(header, etagOf(version))
}

/** The same, for an entity tag already made. */
export function noneMatchTag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const tags = tagsIn(header).map((tag) => tag.replace(/^W\//, ''))
  return tags.includes('*') || tags.includes(etag)
}
