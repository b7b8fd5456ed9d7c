/** Chooses the encryption key and proves, before serving, that it opens every stored secret. */
import type { Config } from './config.js'
import { loadOrCreateKeyFile } from './crypto/key-file.js'
import { SecretBox } from './crypto/secret-box.js'
import { OPERATOR, recordEvent } from './storage/audit.js'
import type { Storage } from './storage/database.js'

export interface KeyChoice {
  box: SecretBox
  /** Set when a new key file was written, so the caller can say so once. */
  createdKeyFile: string | undefined
}

/** The key from the environment, or the embedded default's key file (made on first use). */
export function chooseKey(config: Config): KeyChoice {
  if (config.encryptionKey !== undefined) {
    return { box: new SecretBox(config.encryptionKey, config.previousKeys), createdKeyFile: undefined }
  }
  if (config.keyFile === undefined) throw new Error('LLMS_ENCRYPTION_KEY is required for this database')
  const { key, created } = loadOrCreateKeyFile(config.keyFile)
  return { box: new SecretBox(key, config.previousKeys), createdKeyFile: created ? config.keyFile : undefined }
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

export interface RotationReport {
  rotated: number
  /** Secrets still sealed under another key (more than `limit`, or written meanwhile). */
  remaining: number
}

/**
 * Re-seals every stored secret that is not under the box's current key. Each secret is replaced
 * only if it is still the value that was read (a concurrent rotation through the API wins), so
 * the command can be interrupted and run again at any time, and finishes.
 */
export async function rotateSecrets(storage: Storage, box: SecretBox, limit = Infinity): Promise<RotationReport> {
  let rotated = 0
  const stale = () =>
    storage.db.selectFrom('llms').where('secret_sealed', 'is not', null).where('secret_key_id', '!=', box.keyId)
  while (rotated < limit) {
    const batch = await stale().select(['id', 'secret_sealed']).orderBy('id').limit(Math.min(200, limit - rotated)).execute()
    if (batch.length === 0) break
    for (const row of batch) {
      const old = row.secret_sealed as string
      const sealed = box.seal(box.open(old, row.id), row.id)
      rotated += await storage.db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('llms')
          .set({ secret_sealed: sealed, secret_key_id: box.keyId })
          .where('id', '=', row.id)
          .where('secret_sealed', '=', old)
          .executeTakeFirst()
        const done = Number(result.numUpdatedRows)
        if (done > 0) await recordEvent(trx, { action: 'secret-reencrypt', keyId: OPERATOR, llmId: row.id, fields: ['secret'] })
        return done
      })
    }
  }
  const left = await stale().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return { rotated, remaining: Number(left.n) }
}
