/** Rate-limit counters shared by every instance through Redis (loaded only when REDIS_URL is set). */
import { createClient } from 'redis'
import type { RateStore, WindowCount } from './rate-limit.js'

// INCR and the expiry in one step, so a window always ends even if an instance dies mid-way.
const HIT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}`

function redisClient(url: string) {
  return createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: (n: number) => Math.min(n * 100, 2000) } })
}

/** Counters shared by every instance through Redis. */
export class RedisRateStore implements RateStore {
  private constructor(
    private readonly client: ReturnType<typeof redisClient>,
    private readonly prefix: string,
  ) {}

  static async connect(url: string, prefix = 'llm-registry:rate:'): Promise<RedisRateStore> {
    const client = redisClient(url)
    // Errors are reported by the failing commands; an unhandled 'error' event would crash.
    client.on('error', () => undefined)
    await client.connect()
    return new RedisRateStore(client, prefix)
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttl] = (await this.client.eval(HIT, { keys: [this.prefix + key], arguments: [String(windowMs)] })) as [number, number]
    return { count, resetMs: ttl > 0 ? ttl : windowMs }
  }

  async peek(key: string): Promise<WindowCount> {
    const [count, ttl] = await Promise.all([this.client.get(this.prefix + key), this.client.pTTL(this.prefix + key)])
    return { count: Number(count ?? 0), resetMs: ttl > 0 ? ttl : 0 }
  }

  async close(): Promise<void> {
    await this.client.quit()
  }
}

