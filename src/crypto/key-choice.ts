/** Which encryption key seals secrets: the configured one, or the embedded default's key file. */
import type { Config } from '../config.js'
import { loadOrCreateKeyFile } from './key-file.js'
import { SecretBox } from './secret-box.js'

export interface KeyChoice {
  box: SecretBox
  /** Set when a new key file was written, so the caller can say so once. */
  createdKeyFile: string | undefined
}

/** The key from LLMS_ENCRYPTION_KEY, or the embedded default's key file (made on first use). */
export function chooseKey(config: Pick<Config, 'encryptionKey' | 'previousKeys' | 'keyFile'>): KeyChoice {
  if (config.encryptionKey !== undefined) {
    return { box: new SecretBox(config.encryptionKey, config.previousKeys), createdKeyFile: undefined }
  }
  if (config.keyFile === undefined) throw new Error('LLMS_ENCRYPTION_KEY is required for this database')
  const { key, created } = loadOrCreateKeyFile(config.keyFile)
  return { box: new SecretBox(key, config.previousKeys), createdKeyFile: created ? config.keyFile : undefined }
}
