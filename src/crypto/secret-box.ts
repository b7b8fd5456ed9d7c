/** AES-256-GCM sealing of upstream credentials, with the key id stored beside the ciphertext. */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import type { SecretKeyring } from '../domain/ports.js'

const VERSION = 'v1'
const NONCE_BYTES = 12
const TAG_BYTES = 16

/** A short public fingerprint of a key: tells which key sealed a value without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('llm-registry key id\0').update(key).digest('hex').slice(0, 16)
}

/** Parses `LLMS_ENCRYPTION_KEY`-style base64 text into a 32-byte key, or explains why not. */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error('must be base64 of 32 bytes')
  const key = Buffer.from(trimmed, 'base64')
  if (key.length !== 32) throw new Error(`must be base64 of 32 bytes (it decodes to ${key.length})`)
  return key
}

/** The id of the key a sealed value was made with (stored beside it so rotation can find stale ones). */
export function keyIdOfSealed(sealed: string): string | null {
  return sealed.split('.')[1] ?? null
}

/**
 * Seals as `v1.<keyId>.<nonce>.<ciphertext>.<tag>` (base64url parts). The LLM id is the
 * additional authenticated data, so a sealed value copied onto another record does not open.
 */
export class SecretBox implements SecretKeyring {
  readonly keyId: string
  private readonly keys: Map<string, Buffer>

  /** `current` seals; `previous` keys only open (they matter during a key rotation). */
  constructor(current: Buffer, previous: Buffer[] = []) {
    this.keyId = keyIdOf(current)
    this.keys = new Map([...previous, current].map((key) => [keyIdOf(key), key]))
  }

  seal(plaintext: string, llmId: string): string {
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.currentKey(), nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(Buffer.from(llmId, 'utf8'))
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    const parts = [nonce, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'))
    return [VERSION, this.keyId, ...parts].join('.')
  }

  open(sealed: string, llmId: string): string {
    const [version, keyId, nonce, ciphertext, tag] = sealed.split('.')
    if (version !== VERSION || keyId === undefined || nonce === undefined || ciphertext === undefined || tag === undefined) {
      throw new Error('sealed secret has an unknown format')
    }
    const key = this.keys.get(keyId)
    if (key === undefined) throw new Error(`sealed secret was made with key ${keyId}, which is not configured`)
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'), {
      authTagLength: TAG_BYTES,
    })
    decipher.setAAD(Buffer.from(llmId, 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
  }

  /** Whether this box can open values sealed under the given key id. */
  knows(keyId: string): boolean {
    return this.keys.has(keyId)
  }

  private currentKey(): Buffer {
    const key = this.keys.get(this.keyId)
    if (key === undefined) throw new Error('unreachable: the current key is always present')
    return key
  }
}
