/** Chooses the encryption key and proves, before serving, that it opens every stored secret. */
import type { Config } from './config.js'
import { loadOrCreateKeyFile } from './crypto/key-file.js'
import { SecretBox } from './crypto/secret-box.js'
import type { Storage } from './storage/database.js'

export interface KeyChoice {
  box: SecretBox
  /** Set when a new key file was written, so the caller can say so once. */
  createdKeyFile: string | undefined
}

/** The key from the environment, or the embedded default's key file (made on first use). */
export function chooseKey(config: Config): KeyChoice {
  if (config.encryptionKey !== undefined) return { box: new SecretBox(config.encryptionKey), createdKeyFile: undefined }
  if (config.keyFile === undefined) throw new Error('LLMS_ENCRYPTION_KEY is required for this database')
  const { key, created } = loadOrCreateKeyFile(config.keyFile)
  return { box: new SecretBox(key), createdKeyFile: created ? config.keyFile : undefined }
}

/** Throws when some stored secret was sealed with a key this box does not hold. */
export async function assertKeyOpensStoredSecrets(storage: Storage, box: SecretBox): Promise<void> {
  const rows = await storage.db
    .selectFrom('llms')
    .select('secret_key_id')
    .distinct()
    .where('secret_key_id', 'is not', null)
    .execute()
  const unknown = rows.map((r) => r.secret_key_id).filter((id): id is string => id !== null && !box.knows(id))
  if (unknown.length > 0) {
    throw new Error(
      `the configured encryption key (id ${box.keyId}) cannot open secrets stored under key id(s) ` +
        `${unknown.join(', ')}: set LLMS_ENCRYPTION_KEY to the key those secrets were written with`,
    )
  }
}
