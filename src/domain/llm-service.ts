/** The operations of the /v1/llms resource, in domain terms: an actor, values in, values out. */
import { randomUUID } from 'node:crypto'
import { assertCanChange, canSee, requirePermission, type Actor } from './access.js'
import { AppError, invalidData } from './errors.js'
import { SETTING_KEYS, type Llm, type LlmPatch, type LlmSettings, type StoredLlm } from './llm.js'
import { assertValidRecord, mergeSettings, recordProblems, settingValueProblems, settingsForCreate } from './llm-rules.js'
import type { ListQuery, ListResult, LlmRepository, SecretSealer, VersionSnapshot } from './ports.js'

/**
 * A precondition on the stored version (from If-Match or If-None-Match): why the stored version
 * fails it, so that nothing is touched, or undefined when it holds.
 */
export type VersionCheck = (version: number) => string | undefined

export type CreateInput = LlmPatch & Pick<LlmSettings, 'displayName' | 'llmFormat'>

/** One field that differs between two versions. */
export interface FieldChange {
  field: string
  from: unknown
  to: unknown
}

export interface RestoreResult {
  llm: StoredLlm
  restoredFrom: number
  /** False when the LLM held that version's settings already (nothing was written). */
  changed: boolean
  /** True when the restored version had another credential than the one kept. */
  credentialDiffers: boolean
}

/** The public record as it was at a version: the managed fields as they are now, the settings and credential state as they were. */
function recordAt(current: StoredLlm, snapshot: VersionSnapshot): Llm {
  const { version: _version, sealedSecret: _sealed, ...managed } = current
  return { ...managed, ...snapshot.settings, updatedAt: snapshot.version === 1 ? null : snapshot.at, hasSecret: snapshot.hasSecret, secretUpdatedAt: snapshot.secretUpdatedAt }
}

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
    if (llm === undefined) throw new AppError('not_found', 'LLM not found')
    this.assertReadable(actor, llm)
    return llm
  }

  /** The rule of `get` for a record already at hand (a cached answer): only what the actor may see. */
  assertReadable(actor: Actor, llm: Pick<StoredLlm, 'isGlobal' | 'createdByOrganizationId'>): void {
    requirePermission(actor, 'llms:read')
    if (!canSee(actor, llm)) throw new AppError('not_found', 'LLM not found')
  }

  /** The rule of `list` for a page already at hand (a cached answer). */
  assertCanList(actor: Actor): void {
    requirePermission(actor, 'llms:read')
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
      checkPrecondition(expected, current.version)
      const { settings, changed } = mergeSettings(current, patch)
      const secret = patch.secret
      const rotating = secret !== undefined
      assertValidRecord(settings, current.hasSecret || rotating, changed)
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
      checkPrecondition(expected, current.version)
    }, actor.keyId)
  }

  /** An LLM's kept versions, newest first, for those who can see it. */
  async versions(actor: Actor, id: string, limit: number, offset: number) {
    await this.get(actor, id)
    return this.repository.versions(id, limit, offset)
  }

  /** The LLM as it was at one version: today's managed fields, that version's settings and credential state. */
  async version(actor: Actor, id: string, version: number): Promise<{ llm: Llm; version: VersionSnapshot }> {
    const current = await this.get(actor, id)
    const snapshot = await this.snapshot(id, version)
    return { llm: recordAt(current, snapshot), version: snapshot }
  }

  /** The settings (and credential state) that differ between two versions, each with both values. */
  async diff(actor: Actor, id: string, from: number, to: number): Promise<FieldChange[]> {
    await this.get(actor, id)
    const [a, b] = [await this.snapshot(id, from), await this.snapshot(id, to)]
    const compared = (s: VersionSnapshot): Record<string, unknown> => ({ ...s.settings, hasSecret: s.hasSecret, secretUpdatedAt: s.secretUpdatedAt })
    const [before, after] = [compared(a), compared(b)]
    return [...SETTING_KEYS, 'hasSecret', 'secretUpdatedAt']
      .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
      .map((field) => ({ field, from: before[field] ?? null, to: after[field] ?? null }))
  }

  /**
   * Applies an earlier version's settings as a new version, through the rules of an update; the
   * current credential is kept. Visibility and preconditions as for an update.
   */
  async restore(actor: Actor, id: string, version: number, expected?: VersionCheck): Promise<RestoreResult> {
    requirePermission(actor, 'llms:write')
    assertCanChange(actor, await this.repository.findById(id), 'update')
    const snapshot = await this.snapshot(id, version)
    let changed = false
    const stored = await this.repository.modify(
      id,
      (current) => {
        assertCanChange(actor, current, 'update')
        checkPrecondition(expected, current.version)
        const merged = mergeSettings(current, snapshot.settings)
        const problems = [...settingValueProblems(merged.settings), ...recordProblems(merged.settings, current.hasSecret, merged.changed)]
        if (problems.length > 0) throw invalidData(problems, `Version ${version} cannot be restored under today's rules`)
        if (merged.changed.length === 0) return null
        changed = true
        return { ...current, ...merged.settings, updatedAt: this.now().toISOString() }
      },
      actor.keyId,
      version,
    )
    if (stored === undefined) throw new AppError('not_found', 'LLM not found')
    const credentialDiffers = snapshot.hasSecret !== stored.hasSecret || snapshot.secretUpdatedAt !== stored.secretUpdatedAt
    return { llm: stored, restoredFrom: version, changed, credentialDiffers }
  }

  private async snapshot(id: string, version: number): Promise<VersionSnapshot> {
    const snapshot = await this.repository.version(id, version)
    if (snapshot === undefined) throw new AppError('not_found', `Version ${version} of this LLM is not kept`)
    return snapshot
  }

  /** An LLM's audit trail, for those who can see the LLM. */
  async history(actor: Actor, id: string, limit: number, offset: number) {
    await this.get(actor, id)
    return this.repository.history(id, limit, offset)
  }
}

function checkPrecondition(expected: VersionCheck | undefined, version: number): void {
  const failed = expected?.(version)
  if (failed !== undefined) throw new AppError('precondition_failed', failed)
}
