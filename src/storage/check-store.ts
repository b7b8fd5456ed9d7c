/** Each LLM's last check, behind the domain's CheckStore port. */
import type { Kysely } from 'kysely'
import type { CheckResult, CheckStore } from '../domain/checks.js'
import type { Database } from './schema.js'
import { parseJson } from './values.js'

export class KyselyCheckStore implements CheckStore {
  constructor(private readonly db: Kysely<Database>) {}

  async saveCheck(result: CheckResult): Promise<void> {
    const row = { llm_id: result.llmId, checked_at: result.checkedAt, ok: result.ok ? 1 : 0, result: JSON.stringify(result) }
    await this.db
      .insertInto('llm_checks')
      .values(row)
      .onConflict((oc) => oc.column('llm_id').doUpdateSet({ checked_at: row.checked_at, ok: row.ok, result: row.result }))
      .execute()
  }

  async lastCheck(llmId: string): Promise<CheckResult | undefined> {
    const row = await this.db.selectFrom('llm_checks').select('result').where('llm_id', '=', llmId).executeTakeFirst()
    return row === undefined ? undefined : parseJson<CheckResult>(row.result)
  }
}
