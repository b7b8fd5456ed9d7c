/** Bearer authentication and permissions, checked before a body is read or validated. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Actor, Permission } from '../domain/access.js'
import { AppError } from '../domain/errors.js'
import { apiKeyId, apiKeyMatches } from '../crypto/api-keys.js'
import type { StoredApiKey } from '../storage/org-repository.js'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
  }
  interface FastifyContextConfig {
    /** The permission a route needs; routes without one need no authentication. */
    permission?: Permission
  }
}

export interface ApiKeyStore {
  findActiveKey(keyId: string): Promise<StoredApiKey | undefined>
}

const UNAUTHENTICATED = 'Invalid or missing API key'

/** The actor behind an Authorization header; one answer for every kind of failure. */
export async function authenticate(store: ApiKeyStore, header: string | undefined): Promise<Actor> {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header)
  const raw = match?.[1]
  const id = raw === undefined ? undefined : apiKeyId(raw)
  if (raw === undefined || id === undefined) throw new AppError('unauthenticated', UNAUTHENTICATED)
  const key = await store.findActiveKey(id)
  if (key === undefined || !apiKeyMatches(raw, key.hash)) throw new AppError('unauthenticated', UNAUTHENTICATED)
  return { organizationId: key.organizationId, keyId: key.id, permissions: key.permissions }
}

/** Adds the onRequest hook that authenticates every route whose config names a permission. */
export function installAuth(app: FastifyInstance, store: ApiKeyStore): void {
  app.decorateRequest('actor', null)
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const permission = request.routeOptions.config.permission
    if (permission === undefined) return
    const actor = await authenticate(store, request.headers.authorization)
    if (!actor.permissions.includes(permission)) {
      throw new AppError('forbidden', 'API key lacks the required permission')
    }
    request.actor = actor
  })
}

/** The authenticated actor of a route that requires one. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null) throw new Error('route has no permission configured but needs an actor')
  return request.actor
}
