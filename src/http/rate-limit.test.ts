/** Rate limits per API key (in memory and shared through Redis) and failed-authentication throttling. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { randomBytes, randomUUID } from 'node:crypto'
import { SecretBox } from '../crypto/secret-box.js'
import { Harness, createTestDatabase, startHarness, stopHarness, type TestDatabase } from '../testing/harness.js'
import { MemoryRateStore, RateLimiter } from './rate-limit.js'
import { RedisRateStore } from './redis-rate-store.js'

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

describe('per-key rate limit, in memory', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ rateLimiter: new RateLimiter(new MemoryRateStore(), { perKeyPerMinute: 5, authFailuresPerMinute: 0 }) })
  })
  afterAll(() => stopHarness(h))

  test('the limit is announced on every response; past it, 429 JSON with Retry-After; other keys are unaffected', async () => {
    const t = await h.tenant()
    const remaining: string[] = []
    for (let i = 0; i < 5; i++) {
      const reply = await h.get('/v1/llms', t.key)
      expect(reply.status).toBe(200)
      expect(reply.headers.get('ratelimit-limit')).toBe('5')
      remaining.push(reply.headers.get('ratelimit-remaining') ?? '')
      expect(Number(reply.headers.get('ratelimit-reset'))).toBeGreaterThan(0)
      expect(Number(reply.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60)
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0'])
    const refused = await h.get('/v1/llms', t.key)
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'rate_limited',
      message: 'Rate limit exceeded: too many requests for this API key',
      requestId: refused.headers.get('x-request-id'),
    })
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('ratelimit-remaining')).toBe('0')
    // The read-only key of the same organization is another key, with its own budget.
    expect((await h.get('/v1/llms', t.readKey)).status).toBe(200)
    expect((await h.get('/v1/llms', (await h.tenant()).key)).status).toBe(200)
  })

  test('a refused write changes nothing', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    for (let i = 0; i < 4; i++) await h.get('/v1/llms', t.key)
    const before = await h.stored(llm.id)
    expect((await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1.9 })).status).toBe(429)
    expect(await h.stored(llm.id)).toEqual(before)
  })
})

describe('failed authentication throttling', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ rateLimiter: new RateLimiter(new MemoryRateStore(), { perKeyPerMinute: 0, authFailuresPerMinute: 4 }) })
  })
  afterAll(() => stopHarness(h))

  test('after 4 failed attempts from one address, it gets 429 even with a guess that would be right', async () => {
    const t = await h.tenant()
    for (let i = 0; i < 4; i++) {
      const reply = await h.get('/v1/llms', `llmr_${'0'.repeat(16)}_${'A'.repeat(42)}${i}`)
      expect(reply.status).toBe(401)
    }
    const blocked = await h.get('/v1/llms', t.key)
    expect(blocked.status).toBe(429)
    expect(blocked.body.message).toMatch(/Too many failed authentication attempts/)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    // Routes without authentication are not throttled.
    expect((await h.get('/healthz')).status).toBe(200)
  })
})

describe('per-key rate limit shared through Redis', () => {
  let database: TestDatabase
  const instances: Harness[] = []
  const stores: RedisRateStore[] = []
  beforeAll(async () => {
    database = await createTestDatabase()
    const prefix = `llm-registry-test:${randomUUID()}:`
    const limits = { perKeyPerMinute: 6, authFailuresPerMinute: 0 }
    // Two instances on one database and one Redis, each with its own connection to both.
    for (let i = 0; i < 2; i++) {
      const store = await RedisRateStore.connect(REDIS_URL, prefix)
      stores.push(store)
      const instance = new Harness(database, new SecretBox(randomBytes(32)), { rateLimiter: new RateLimiter(store, limits) })
      await instance.start()
      instances.push(instance)
    }
  })
  afterAll(async () => {
    for (const instance of instances) await instance.stop()
    await Promise.all(stores.map((s) => s.close()))
    await database.drop()
  })

  test('two instances share one budget: 3 requests on each use it up, the 7th is refused on either', async () => {
    const [a, b] = instances as [Harness, Harness]
    const t = await a.tenant()
    const remaining: string[] = []
    for (let i = 0; i < 6; i++) {
      const reply = await (i % 2 === 0 ? a : b).get('/v1/llms', t.key)
      expect(reply.status).toBe(200)
      remaining.push(reply.headers.get('ratelimit-remaining') ?? '')
    }
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0'])
    expect((await a.get('/v1/llms', t.key)).status).toBe(429)
    expect((await b.get('/v1/llms', t.key)).status).toBe(429)
  })
})
