/** Checking an LLM: only an organization's own (it spends their credential), never changing the record. */
import { assertCanChange, requirePermission, type Actor } from './access.js'
import type { CheckOptions, CheckResult, CheckStore, UpstreamChecker } from './checks.js'
import { AppError } from './errors.js'
import { UPSTREAM_FORMATS } from './llm.js'
import type { LlmService } from './llm-service.js'
import type { LlmRepository, SecretSealer } from './ports.js'

export class CheckService {
  constructor(
    private readonly repository: LlmRepository,
    private readonly llms: LlmService,
    private readonly sealer: SecretSealer,
    private readonly checker: UpstreamChecker,
    private readonly store: CheckStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Checks the LLM's upstream and keeps the result; a failed check changes nothing else. */
  async check(actor: Actor, id: string, options: CheckOptions): Promise<CheckResult> {
    requirePermission(actor, 'llms:write')
    const llm = await this.repository.findById(id)
    assertCanChange(actor, llm, 'check')
    if (UPSTREAM_FORMATS.has(llm.llmFormat) && llm.sealedSecret === null) {
      throw new AppError('no_credential', 'this LLM has no credential to check with')
    }
    const secret = llm.sealedSecret === null ? '' : this.sealer.open(llm.sealedSecret, llm.id)
    const checkedAt = this.now().toISOString()
    const results = await this.checker.check(llm, secret, options)
    const result: CheckResult = { llmId: llm.id, checkedAt, ok: results.length > 0 && results.every((r) => r.ok), mode: options.mode, results }
    await this.store.saveCheck(result)
    return result
  }

  /** The last check of an LLM the actor can see. */
  async last(actor: Actor, id: string): Promise<CheckResult> {
    await this.llms.get(actor, id)
    const result = await this.store.lastCheck(id)
    if (result === undefined) throw new AppError('not_found', 'This LLM has not been checked yet')
    return result
  }
}
