/** Bearer authentication and permissions, checked before a body is read or validated. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requirePermission, type Actor, type Permission } from '../domain/access.js'
import { AppError } from '../domain/errors.js'
import type { ApiKeyStore } from '../domain/organizations.js'
import { apiKeyId, hashApiKey, hashesMatch } from '../crypto/api-keys.js'
import type { RateLimiter } from './rate-limit.js'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
  }
  interface FastifyContextConfig {
    /** The permission a route needs; routes without one need no authentication. */
    permission?: Permission
  }
}

const UNAUTHENTICATED = 'Invalid or missing API key'

/**
 * Remembers keys that authenticated, for a few seconds, so that most requests cost no database
 * round trip. It is keyed by the hash of the whole presented key, so only that exact key hits an
 * entry; a key revoked elsewhere stops working here within `ttlMs`.
 */
export class AuthCache {
  private readonly entries = new Map<string, { actor: Actor; expires: number }>()

  constructor(
    readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  get(hash: string, now: number): Actor | undefined {
    const entry = this.entries.get(hash)
    if (entry === undefined) return undefined
    if (entry.expires > now) return entry.actor
    this.entries.delete(hash)
    return undefined
  }

  set(hash: string, actor: Actor, now: number): void {
    if (this.ttlMs <= 0) return
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(hash, { actor, expires: now + this.ttlMs })
  }
}

/** The actor behind an Authorization header; one answer for every kind of failure. */
export async function authenticate(store: ApiKeyStore, header: string | undefined, cache?: AuthCache): Promise<Actor> {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header)
  const raw = match?.[1]
  const id = raw === undefined ? undefined : apiKeyId(raw)
  if (raw === undefined || id === undefined) throw new AppError('unauthenticated', UNAUTHENTICATED)
  const now = Date.now()
  const hash = hashApiKey(raw)
  const cached = cache?.get(hash, now)
  if (cached !== undefined) return cached
  const key = await store.findActiveKey(id)
  if (key === undefined || !hashesMatch(hash, key.hash)) throw new AppError('unauthenticated', UNAUTHENTICATED)
  const actor = { organizationId: key.organizationId, keyId: key.id, permissions: key.permissions }
  cache?.set(hash, actor, now)
  return actor
}

/** Adds the onRequest hook that authenticates every route whose config names a permission. */
export function installAuth(app: FastifyInstance, store: ApiKeyStore, cache?: AuthCache, limiter?: RateLimiter): void {
  app.decorateRequest('actor', null)
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const permission = request.routeOptions.config.permission
    if (permission === undefined) return
    await limiter?.checkAddress(request.ip, reply)
    let actor: Actor
    try {
      actor = await authenticate(store, request.headers.authorization, cache)
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthenticated') await limiter?.recordFailure(request.ip)
      throw error
    }
    await limiter?.checkKey(actor.keyId, reply)
    requirePermission(actor, permission)
    request.actor = actor
  })
}

/** The authenticated actor of a route that requires one. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null) throw new Error('route has no permission configured but needs an actor')
  return request.actor
}
