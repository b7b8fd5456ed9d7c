/** The sealed credentials column seen on its own, behind the domain's SealedSecretStore port. */
import type { Kysely } from 'kysely'
import type { SealedSecretStore } from '../domain/ports.js'
import { keyIdOfSealed } from '../crypto/secret-box.js'
import { OPERATOR, recordEvent } from './audit.js'
import type { Database } from './schema.js'

export class KyselySecretStore implements SealedSecretStore {
  constructor(private readonly db: Kysely<Database>) {}

  async keyIdsInUse(): Promise<string[]> {
    const rows = await this.db.selectFrom('llms').select('secret_key_id').distinct().where('secret_key_id', 'is not', null).execute()
    return rows.flatMap((row) => (row.secret_key_id === null ? [] : [row.secret_key_id]))
  }

  async sealedNotUnder(keyId: string, limit: number): Promise<{ llmId: string; sealed: string }[]> {
    const rows = await this.notUnder(keyId).select(['id', 'secret_sealed']).orderBy('id').limit(limit).execute()
    return rows.flatMap((row) => (row.secret_sealed === null ? [] : [{ llmId: row.id, sealed: row.secret_sealed }]))
  }

  async replaceSealed(llmId: string, old: string, sealed: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('llms')
        .set({ secret_sealed: sealed, secret_key_id: keyIdOfSealed(sealed) })
        .where('id', '=', llmId)
        .where('secret_sealed', '=', old)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) return false
      await recordEvent(trx, { action: 'secret-reencrypt', keyId: OPERATOR, llmId, fields: ['secret'] })
      return true
    })
  }

  async countNotUnder(keyId: string): Promise<number> {
    const row = await this.notUnder(keyId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return Number(row.n)
  }

  private notUnder(keyId: string) {
    return this.db.selectFrom('llms').where('secret_sealed', 'is not', null).where('secret_key_id', '!=', keyId)
  }
}
