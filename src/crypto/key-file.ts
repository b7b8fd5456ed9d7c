/** The embedded default's encryption key: a file beside the database, created once, mode 0600. */
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseEncryptionKey } from './secret-box.js'

export interface LoadedKey {
  key: Buffer
  /** True when this call made the file (so the caller can say so once). */
  created: boolean
}

/** Reads the key file, or creates it with a fresh random key when it does not exist. */
export function loadOrCreateKeyFile(path: string): LoadedKey {
  mkdirSync(dirname(path), { recursive: true })
  try {
    // 'wx' fails if the file exists, so two processes starting together cannot both create one.
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    chmodSync(path, 0o600)
    return { key: parseEncryptionKey(readFileSync(path, 'utf8')), created: true }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  try {
    return { key: parseEncryptionKey(readFileSync(path, 'utf8')), created: false }
  } catch (error) {
    throw new Error(`the key file ${path} ${(error as Error).message}`)
  }
}
