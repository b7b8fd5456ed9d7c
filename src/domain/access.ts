/** Who may see and change which LLM (docs/contract.md, section 1): the tenant rules in one place. */
import { AppError } from './errors.js'
import type { Llm } from './llm.js'

export const PERMISSIONS = ['llms:read', 'llms:write'] as const
export type Permission = (typeof PERMISSIONS)[number]

/** The caller of an operation: an API key of one organization. */
export interface Actor {
  organizationId: string
  keyId: string
  permissions: readonly Permission[]
}

/** Throws permission_denied when the key lacks the permission the operation needs. */
export function requirePermission(actor: Pick<Actor, 'permissions'>, permission: Permission): void {
  if (!actor.permissions.includes(permission)) {
    throw new AppError('permission_denied', 'API key lacks the required permission')
  }
}

/** An organization sees its own LLMs and every global one. */
export function canSee(actor: Actor, llm: Pick<Llm, 'isGlobal' | 'createdByOrganizationId'>): boolean {
  return llm.isGlobal || llm.createdByOrganizationId === actor.organizationId
}

/**
 * Throws unless the actor may change (or delete) the LLM. A record it cannot see is "not
 * found", so its existence is not revealed; a visible one it does not own is "forbidden".
 */
export function assertCanChange(
  actor: Actor,
  llm: Pick<Llm, 'isGlobal' | 'isDefault' | 'createdByOrganizationId'> | undefined,
  verb: 'update' | 'delete' | 'check',
): asserts llm {
  if (llm === undefined || !canSee(actor, llm)) throw new AppError('not_found', 'LLM not found')
  if (llm.isDefault) throw new AppError('default_llm_readonly', `Cannot ${verb} default LLMs`)
  if (llm.createdByOrganizationId !== actor.organizationId) {
    throw new AppError('not_owner', `Cannot ${verb} LLMs owned by another organization`)
  }
}
