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
 * round trip and no hashing. It is keyed by the whole presented key, compared exactly (a Map
 * lookup), so only that exact key hits an entry: hashing it first would add nothing to that,
 * since an entry only exists after the key matched its stored SHA-256 hash. The price is that a
 * key that authenticated stays in this process's memory for `ttlMs` after its last use instead
 * of only while its request is served; a key revoked elsewhere stops working here within `ttlMs`.
 */
export class AuthCache {
  private readonly entries = new Map<string, { actor: Actor; expires: number }>()

  constructor(
    readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  get(key: string, now: number): Actor | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expires > now) return entry.actor
    this.entries.delete(key)
    return undefined
  }

  set(key: string, actor: Actor, now: number): void {
    if (this.ttlMs <= 0) return
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(key, { actor, expires: now + this.ttlMs })
  }
}

const BEARER = /^Bearer +(\S+) *$/i

/** The key an Authorization header presents, if it has the Bearer form. */
function presentedKey(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1]
}

/** The actor behind an Authorization header; one answer for every kind of failure. */
export async function authenticate(store: ApiKeyStore, header: string | undefined, cache?: AuthCache): Promise<Actor> {
  const raw = presentedKey(header)
  const id = raw === undefined ? undefined : apiKeyId(raw)
  if (raw === undefined || id === undefined) throw new AppError('unauthenticated', UNAUTHENTICATED)
  const now = Date.now()
  const cached = cache?.get(raw, now)
  if (cached !== undefined) return cached
  const key = await store.findActiveKey(id)
  if (key === undefined || !hashesMatch(hashApiKey(raw), key.hash)) throw new AppError('unauthenticated', UNAUTHENTICATED)
  const actor = { organizationId: key.organizationId, keyId: key.id, permissions: key.permissions }
  cache?.set(raw, actor, now)
  return actor
}

/** The whole check of a request that needs `permission`, waiting where the store or the cache miss needs it. */
async function authorize(request: FastifyRequest, reply: FastifyReply, permission: Permission, store: ApiKeyStore, cache: AuthCache | undefined, limiter: RateLimiter | undefined) {
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
}

/**
 * The one step every request takes before its route: the request id header, then (for routes
 * that name a permission) the address limit, the key, the key's limit and the permission. With a
 * remembered key and the in-memory limits it all happens synchronously — no promise, no database.
 */
export function installAuth(app: FastifyInstance, store: ApiKeyStore, cache?: AuthCache, limiter?: RateLimiter): void {
  app.decorateRequest('actor', null)
  const synchronous = limiter === undefined || limiter.synchronous
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    reply.header('x-request-id', request.id)
    const permission = request.routeOptions.config.permission
    if (permission === undefined) return done()
    if (synchronous && cache !== undefined) {
      try {
        limiter?.checkAddressNow(request.ip, reply)
        const raw = presentedKey(request.headers.authorization)
        const actor = raw === undefined ? undefined : cache.get(raw, Date.now())
        if (actor !== undefined) {
          limiter?.checkKeyNow(actor.keyId, reply)
          requirePermission(actor, permission)
          request.actor = actor
          return done()
        }
      } catch (error) {
        return done(error as Error)
      }
    }
    authorize(request, reply, permission, store, cache, limiter).then(() => done(), done)
  })
}

/** The authenticated actor of a route that requires one. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null) throw new Error('route has no permission configured but needs an actor')
  return request.actor
}
