/** Entity tags from the record's version column, and If-Match / If-None-Match as RFC 9110 reads them. */
import type { VersionCheck } from '../domain/llm-service.js'

export function etagOf(version: number): string {
  return `"${version}"`
}

function tagsIn(header: string): string[] {
  return header.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')
}

/** A version check for an If-Match header (strong comparison), or undefined when there is none. */
export function ifMatch(header: string | undefined): VersionCheck | undefined {
  if (header === undefined) return undefined
  const tags = tagsIn(header)
  if (tags.includes('*')) return () => true
  return (version) => tags.includes(etagOf(version))
}

/** Whether an If-None-Match header names the current version (weak comparison), so 304 applies. */
export function noneMatch(header: string | undefined, version: number): boolean {
  return noneMatchTag(header, etagOf(version))
}

/** The same, for an entity tag already made. */
export function noneMatchTag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const tags = tagsIn(header).map((tag) => tag.replace(/^W\//, ''))
  return tags.includes('*') || tags.includes(etag)
}
