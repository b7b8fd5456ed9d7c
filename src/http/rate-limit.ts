/**
 * Rate limits: requests per API key, and failed authentications per client address (so keys
 * cannot be guessed at speed). Fixed one-minute windows, counted in memory, or in Redis when
 * REDIS_URL is set so that several instances share one budget.
 */
import type { FastifyReply } from 'fastify'
import { AppError } from '../domain/errors.js'

export interface WindowCount {
  count: number
  /** Milliseconds until the window resets. */
  resetMs: number
}

export interface RateStore {
  /** Counts one more hit on `key` in the current window. */
  hit(key: string, windowMs: number): Promise<WindowCount>
  /** The same without waiting, for a store in this process (the request path then needs no promise). */
  hitNow?(key: string, windowMs: number): WindowCount
  peekNow?(key: string): WindowCount
  /** The current count without adding to it. */
  peek(key: string): Promise<WindowCount>
  close(): Promise<void>
}

/** One process's counters. */
export class MemoryRateStore implements RateStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>()
  private sweeps = 0

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    return this.hitNow(key, windowMs)
  }

  hitNow(key: string, windowMs: number): WindowCount {
    const now = Date.now()
    let entry = this.windows.get(key)
    if (entry === undefined || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs }
      this.windows.set(key, entry)
    }
    entry.count += 1
    if (++this.sweeps % 10_000 === 0) this.sweep(now)
    return { count: entry.count, resetMs: entry.resetAt - now }
  }

  async peek(key: string): Promise<WindowCount> {
    return this.peekNow(key)
  }

  peekNow(key: string): WindowCount {
    const now = Date.now()
    const entry = this.windows.get(key)
    if (entry === undefined || entry.resetAt <= now) return { count: 0, resetMs: 0 }
    return { count: entry.count, resetMs: entry.resetAt - now }
  }

  async close(): Promise<void> {}

  private sweep(now: number): void {
    for (const [key, entry] of this.windows) if (entry.resetAt <= now) this.windows.delete(key)
  }
}

export interface RateLimits {
  /** Requests per minute per API key; 0 turns the limit off. */
  perKeyPerMinute: number
  /** Failed authentications per minute per client address before it is refused; 0: off. */
  authFailuresPerMinute: number
  /** Upstream checks per minute per API key, on top of the request limit; 0 or absent: off. */
  checksPerMinute?: number
}

const WINDOW_MS = 60_000

/** Which limit refused a request (the metrics' label). */
export type Limit = 'key' | 'address' | 'checks'

function limited(reply: FastifyReply, resetMs: number, message: string): AppError {
  reply.header('retry-after', String(Math.max(1, Math.ceil(resetMs / 1000))))
  return new AppError('rate_limited', message)
}

/** Applies the limits; a store that fails lets requests through rather than take the service down. */
export class RateLimiter {
  /** Told of every refusal (the metrics count them). */
  onRefusal: (limit: Limit) => void = () => undefined

  constructor(
    private readonly store: RateStore,
    readonly limits: RateLimits,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
  ) {}

  /** Whether the store answers without waiting (in memory): the request path then stays synchronous. */
  get synchronous(): boolean {
    return this.store.hitNow !== undefined && this.store.peekNow !== undefined
  }

  /** Counts a request of an authenticated key and sets the RateLimit headers; throws 429 past the limit. */
  async checkKey(keyId: string, reply: FastifyReply): Promise<void> {
    if (this.limits.perKeyPerMinute <= 0) return
    this.applyKeyLimit(await this.count(`key:${keyId}`), reply)
  }

  /** `checkKey` on a synchronous store. */
  checkKeyNow(keyId: string, reply: FastifyReply): void {
    if (this.limits.perKeyPerMinute <= 0) return
    this.applyKeyLimit(this.store.hitNow?.(`key:${keyId}`, WINDOW_MS), reply)
  }

  private applyKeyLimit(window: WindowCount | undefined, reply: FastifyReply): void {
    const limit = this.limits.perKeyPerMinute
    if (window === undefined) return
    const reset = Math.max(1, Math.ceil(window.resetMs / 1000))
    reply.header('ratelimit-limit', String(limit))
    reply.header('ratelimit-remaining', String(Math.max(0, limit - window.count)))
    reply.header('ratelimit-reset', String(reset))
    if (window.count > limit) {
      this.onRefusal('key')
      throw limited(reply, window.resetMs, 'Rate limit exceeded: too many requests for this API key')
    }
  }

  /** Counts an upstream check of a key; throws 429 past CHECKS_PER_MINUTE (each check may bill the user). */
  async checkUpstreamCheck(keyId: string, reply: FastifyReply): Promise<void> {
    const limit = this.limits.checksPerMinute ?? 0
    if (limit <= 0) return
    const window = await this.count(`check:${keyId}`)
    if (window !== undefined && window.count > limit) {
      this.onRefusal('checks')
      throw limited(reply, window.resetMs, `Check limit exceeded: at most ${limit} upstream checks a minute for this API key`)
    }
  }

  /** Counts one more hit in this window; undefined when the store failed (the request is let through). */
  private async count(key: string): Promise<WindowCount | undefined> {
    try {
      return await this.store.hit(key, WINDOW_MS)
    } catch (error) {
      this.onStoreError(error)
      return undefined
    }
  }

  /** Refuses a client address that has failed authentication too often in this window. */
  async checkAddress(address: string, reply: FastifyReply): Promise<void> {
    if (this.limits.authFailuresPerMinute <= 0) return
    let window: WindowCount
    try {
      window = await this.store.peek(`auth:${address}`)
    } catch (error) {
      this.onStoreError(error)
      return
    }
    this.applyAddressLimit(window, reply)
  }

  /** `checkAddress` on a synchronous store. */
  checkAddressNow(address: string, reply: FastifyReply): void {
    if (this.limits.authFailuresPerMinute <= 0) return
    const window = this.store.peekNow?.(`auth:${address}`)
    if (window !== undefined) this.applyAddressLimit(window, reply)
  }

  private applyAddressLimit(window: WindowCount, reply: FastifyReply): void {
    if (window.count >= this.limits.authFailuresPerMinute) {
      this.onRefusal('address')
      throw limited(reply, window.resetMs, 'Too many failed authentication attempts from this address; try again later')
    }
  }

  /** Counts a failed authentication from a client address. */
  async recordFailure(address: string): Promise<void> {
    if (this.limits.authFailuresPerMinute <= 0) return
    await this.count(`auth:${address}`)
  }
}
