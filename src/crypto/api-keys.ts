/** API keys: generated once, stored only as a hash, compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { MintedApiKey } from '../domain/organizations.js'

const PREFIX = 'llmr_'
const KEY_SHAPE = /^llmr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/


/** Makes a key `llmr_<16 hex id>_<43 base64url chars of 32 random bytes>`. */
export function generateApiKey(): MintedApiKey {
  const id = randomBytes(8).toString('hex')
  const raw = `${PREFIX}${id}_${randomBytes(32).toString('base64url')}`
  return { id, raw, hash: hashApiKey(raw) }
}

/** SHA-256 is enough here: the keys carry 256 random bits, so there is nothing to brute-force. */
export function hashApiKey(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex')
}

/** The id part of a well-formed key, or undefined for anything malformed. */
export function apiKeyId(raw: string): string | undefined {
  return KEY_SHAPE.exec(raw)?.[1]
}

/** Compares the hash of a presented key with a stored hash without leaking where they differ. */
export function hashesMatch(presentedHash: string, storedHash: string): boolean {
  const presented = Buffer.from(presentedHash, 'hex')
  const stored = Buffer.from(storedHash, 'hex')
  return presented.length === stored.length && timingSafeEqual(presented, stored)
}
