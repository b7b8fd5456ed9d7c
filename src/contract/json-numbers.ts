/**
 * Numbers JSON.parse cannot keep as they were written, refused as I-JSON (RFC 7493, §2.2) says a
 * receiver may: any beyond ±(2^53 − 1). `1e400` becomes Infinity, which JSON.stringify then
 * stores as `null`, and 9007199254740993 becomes …992: an id kept in metadata would come back as
 * another id. Such a number belongs in a string. The server's body parser refuses them, and so do
 * the CLI and the console where they read JSON a person wrote.
 */
import { childField } from './duplicate-members.js'

/** The largest magnitude a JSON number may have: every whole number up to it is exact in a double. */
export const JSON_NUMBER_MAX = Number.MAX_SAFE_INTEGER

/** What a field whose number is out of range is told. */
export const BEYOND_I_JSON = `is a number too large to keep exactly (beyond ±${JSON_NUMBER_MAX}); send it as a string`

/**
 * The fields (as `details` name them: `metadata.id`, `urls[0]`) whose number is out of range; none
 * for almost every value. A first walk only looks, making nothing (it runs on every body); the
 * fields are named by a second walk only when it found one.
 */
export function numbersBeyondRange(value: unknown): string[] {
  if (!holdsBeyond(value)) return []
  const found: string[] = []
  nameBeyond(value, '', found)
  return found
}

function holdsBeyond(value: unknown): boolean {
  if (typeof value === 'number') return value > JSON_NUMBER_MAX || value < -JSON_NUMBER_MAX
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsBeyond(value[i])) return true
    return false
  }
  for (const key in value) if (holdsBeyond((value as Record<string, unknown>)[key])) return true
  return false
}

function nameBeyond(value: unknown, path: string, found: string[]): void {
  if (typeof value === 'number') {
    if (Math.abs(value) > JSON_NUMBER_MAX) found.push(path)
    return
  }
  if (typeof value !== 'object' || value === null) return
  if (Array.isArray(value)) value.forEach((item, i) => nameBeyond(item, childField(path, i), found))
  else for (const [key, child] of Object.entries(value)) nameBeyond(child, childField(path, key), found)
}

/**
 * A number a person typed (a CLI flag, a form field), read as decimal only: `0.5`, `.5`, `-2`,
 * `1e3`, surrounding spaces aside. `Number()` alone also reads `0x10` as 16, `0b11` as 3, `0o7`,
 * `Infinity` and `''` as 0, so a typo would be sent as another value. Undefined when it is not one.
 */
export function decimalNumber(text: string): number | undefined {
  const trimmed = text.trim()
  if (!DECIMAL.test(trimmed)) return undefined
  const value = Number(trimmed)
  return Number.isFinite(value) ? value : undefined
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i
