/**
 * PostgreSQL going away under a running server: /readyz says so and recovers by itself, and a
 * request on a dropped connection gets a clean 503 JSON, never a hang or a crash. PostgreSQL only.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BACKEND, PG_ADMIN_URL, createTestDatabase, validLlm, type TestDatabase } from '../testing/harness.js'
import { Outage } from '../testing/outage.js'
import { callServer, createOrgKey, startServer, type ServerProcess } from '../testing/process.js'

const run = BACKEND === 'postgres'
let db: TestDatabase
let outage: Outage
let s: ServerProcess
let key: string

beforeAll(async () => {
  if (!run) return
  db = await createTestDatabase()
  outage = new Outage()
  await outage.open()
  const env = { DATABASE_URL: outage.reaching(db.url), LLMS_ENCRYPTION_KEY: randomBytes(32).toString('base64') }
  key = await createOrgKey(env)
  s = await startServer(env)
}, 60_000)

afterAll(async () => {
  if (!run) return
  await s.stop()
  await outage.cut()
  await db.drop()
})

async function call(method: string, path: string, body?: unknown) {
  const reply = await callServer(s.baseUrl, method, path, { key, body })
  return { ...reply, type: reply.headers.get('content-type') }
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 200))
  }
  return false
}

describe.runIf(run)('PostgreSQL faults', () => {
  test('/readyz answers 503 while PostgreSQL is unreachable and 200 again when it is back, by itself', async () => {
    expect((await call('GET', '/readyz')).status).toBe(200)
    await outage.cut()
    const down = await call('GET', '/readyz')
    expect(down.status).toBe(503)
    expect(down.body).toMatchObject({ statusCode: 503, message: 'Database unreachable' })
    // A request that needs the database answers a clean 503 JSON too, quickly.
    const started = Date.now()
    const failed = await call('GET', '/v1/llms')
    expect(failed.status).toBe(503)
    expect(failed.type).toMatch(/^application\/json/)
    expect(failed.body.message).toBe('Database unavailable, try again shortly')
    expect(Date.now() - started).toBeLessThan(10_000)
    expect((await call('GET', '/healthz')).status).toBe(200)

    await outage.open()
    expect(await until(async () => (await call('GET', '/readyz')).status === 200, 15_000)).toBe(true)
    expect((await call('POST', '/v1/llms', validLlm())).status).toBe(201)
  })

  test("pg_terminate_backend on the service's connections: every request gets 2xx or a clean 503, then all recovers", async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
    await admin.connect()
    try {
      const llm = (await call('POST', '/v1/llms', validLlm())).body
      const statuses: number[] = []
      let killed = 0
      for (let round = 0; round < 5; round++) {
        const burst = Array.from({ length: 30 }, (_, i) =>
          i % 2 === 0 ? call('GET', `/v1/llms/${llm.id}`) : call('PUT', `/v1/llms/${llm.id}`, { maxTokens: 100 + round * 30 + i }),
        )
        const terminated = await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'llm-registry'",
          [new URL(db.url).pathname.slice(1)],
        )
        killed += terminated.rowCount ?? 0
        const settled = await Promise.allSettled(burst)
        const lost = settled.filter((r) => r.status === 'rejected')
        expect(lost.length, 'requests that got no answer').toBe(0)
        for (const reply of settled.map((r) => (r as PromiseFulfilledResult<Awaited<(typeof burst)[0]>>).value)) {
          statuses.push(reply.status)
          expect(reply.type).toMatch(/^application\/json/)
          if (reply.status === 503) expect(reply.body.message).toBe('Database unavailable, try again shortly')
        }
      }
      expect(killed).toBeGreaterThan(0)
      expect(statuses.filter((code) => code !== 200 && code !== 503)).toEqual([])
      // The process is still up, and the next requests succeed on fresh connections.
      expect(await until(async () => (await call('GET', `/v1/llms/${llm.id}`)).status === 200, 10_000)).toBe(true)
      expect((await call('PUT', `/v1/llms/${llm.id}`, { temperature: 1.2 })).status).toBe(200)
      expect(s.child.exitCode).toBeNull()
    } finally {
      await admin.end()
    }
  })
})
