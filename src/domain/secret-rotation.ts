/** The stored credentials as a whole: proving the configured key opens them, and re-sealing them under a new key. */
import type { SecretKeyring, SealedSecretStore } from './ports.js'

/** Throws when some stored secret was sealed with a key the keyring does not hold. */
export async function assertKeyOpensStoredSecrets(store: SealedSecretStore, keyring: SecretKeyring): Promise<void> {
  const unknown = (await store.keyIdsInUse()).filter((id) => !keyring.knows(id))
  if (unknown.length > 0) {
    throw new Error(
      `the configured encryption key (id ${keyring.keyId}) cannot open secrets stored under key id(s) ` +
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
 * Re-seals every stored secret that is not under the keyring's current key. Each secret is
 * replaced only if it is still the value that was read (a concurrent rotation through the API
 * wins), so the command can be interrupted and run again at any time, and finishes.
 */
export async function rotateSecrets(store: SealedSecretStore, keyring: SecretKeyring, limit = Infinity): Promise<RotationReport> {
  let rotated = 0
  while (rotated < limit) {
    const batch = await store.sealedNotUnder(keyring.keyId, Math.min(200, limit - rotated))
    if (batch.length === 0) break
    for (const { llmId, sealed } of batch) {
      const resealed = keyring.seal(keyring.open(sealed, llmId), llmId)
      if (await store.replaceSealed(llmId, sealed, resealed)) rotated += 1
    }
  }
  return { rotated, remaining: await store.countNotUnder(keyring.keyId) }
}
