/** The operations of the /v1/llms resource, in domain terms: an actor, values in, values out. */
import { randomUUID } from 'node:crypto'
import { assertCanChange, canSee, requirePermission, type Actor } from './access.js'
import { AppError } from './errors.js'
import type { LlmPatch, LlmSettings, StoredLlm } from './llm.js'
import { assertValidRecord, mergeSettings, settingsForCreate } from './llm-rules.js'
import type { ListQuery, ListResult, LlmRepository, SecretSealer } from './ports.js'

/** A precondition on the stored version (from If-Match); false means "do not touch". */
export type VersionCheck = (version: number) => boolean

export type CreateInput = LlmPatch & Pick<LlmSettings, 'displayName' | 'llmFormat'>

export class LlmService {
  constructor(
    private readonly repository: LlmRepository,
    private readonly sealer: SecretSealer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(actor: Actor, query: Omit<ListQuery, 'organizationId'>): Promise<ListResult> {
    requirePermission(actor, 'llms:read')
    return this.repository.list({ ...query, organizationId: actor.organizationId })
  }

  async get(actor: Actor, id: string): Promise<StoredLlm> {
    requirePermission(actor, 'llms:read')
    const llm = await this.repository.findById(id)
    if (llm === undefined || !canSee(actor, llm)) throw new AppError('not_found', 'LLM not found')
    return llm
  }

  /** A new LLM; `chosenId` (a UUID, checked by the caller) keeps an id across servers, else one is made. */
  async create(actor: Actor, input: CreateInput, chosenId?: string): Promise<StoredLlm> {
    requirePermission(actor, 'llms:write')
    const settings = settingsForCreate(input)
    assertValidRecord(settings, input.secret !== undefined)
    const id = chosenId ?? randomUUID()
    const createdAt = this.now().toISOString()
    const llm: StoredLlm = {
      ...settings,
      id,
      displayTags: [],
      isDefault: false,
      isGlobal: false,
      isZdr: false,
      createdByOrganizationId: actor.organizationId,
      createdAt,
      updatedAt: null,
      hasSecret: input.secret !== undefined,
      secretUpdatedAt: input.secret !== undefined ? createdAt : null,
      sealedSecret: input.secret !== undefined ? this.sealer.seal(input.secret, id) : null,
      version: 1,
    }
    await this.repository.insert(llm, actor.keyId)
    return llm
  }

  /** The partial update of the contract (section 3), atomic against concurrent updates. */
  async update(actor: Actor, id: string, patch: LlmPatch, expected?: VersionCheck): Promise<StoredLlm> {
    requirePermission(actor, 'llms:write')
    const stored = await this.repository.modify(id, (current) => {
      assertCanChange(actor, current, 'update')
      if (expected !== undefined && !expected(current.version)) throw preconditionFailed()
      const { settings, changed } = mergeSettings(current, patch)
      const secret = patch.secret
      const rotating = secret !== undefined
      assertValidRecord(settings, current.hasSecret || rotating)
      if (changed.length === 0 && !rotating) return null
      const at = this.now().toISOString()
      return {
        ...current,
        ...settings,
        updatedAt: at,
        ...(rotating && {
          hasSecret: true,
          secretUpdatedAt: at,
          sealedSecret: this.sealer.seal(secret, id),
        }),
      }
    }, actor.keyId)
    if (stored === undefined) throw new AppError('not_found', 'LLM not found')
    return stored
  }

  async remove(actor: Actor, id: string, expected?: VersionCheck): Promise<void> {
    requirePermission(actor, 'llms:write')
    await this.repository.remove(id, (current) => {
      assertCanChange(actor, current, 'delete')
      if (expected !== undefined && !expected(current.version)) throw preconditionFailed()
    }, actor.keyId)
  }

  /** An LLM's audit trail, for those who can see the LLM. */
  async history(actor: Actor, id: string, limit: number, offset: number) {
    await this.get(actor, id)
    return this.repository.history(id, limit, offset)
  }
}

function preconditionFailed(): AppError {
  return new AppError('precondition_failed', 'The LLM has changed since the version given in If-Match')
}
