/**
 * The process killed with SIGKILL in the middle of a burst of writes: after a restart, every
 * write that was answered with a 2xx is there, and the database opens cleanly. Both backends.
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openDatabase } from '../storage/database.js'
import { createTestDatabase, validLlm, type TestDatabase } from '../testing/harness.js'
import { callServer, createOrgKey, startServer, type ServerProcess } from '../testing/process.js'

let db: TestDatabase
let env: Record<string, string>
let key: string

beforeAll(async () => {
  db = await createTestDatabase()
  env = { DATABASE_URL: db.url, LLMS_ENCRYPTION_KEY: randomBytes(32).toString('base64') }
  key = await createOrgKey(env)
}, 60_000)

afterAll(() => db.drop())

async function send(s: ServerProcess, method: string, path: string, body?: unknown) {
  try {
    return await callServer(s.baseUrl, method, path, { key, body })
  } catch {
    return { status: 0, body: undefined } // the connection died with the process
  }
}

describe('SIGKILL during a burst of writes', () => {
  test('every write answered 2xx before the kill is there after a restart, and the database is intact', async () => {
    const first = await startServer(env)
    const targets = await Promise.all(Array.from({ length: 40 }, () => send(first, 'POST', '/v1/llms', validLlm())))
    expect(targets.every((r) => r.status === 201)).toBe(true)

    const created: string[] = []
    // Each writer owns five of the targets and writes them one at a time, so for each target the
    // stored value must be its last acknowledged one, or the one in flight when the process died
    // (committed, but killed before it could answer).
    const acknowledged = new Map<string, number>()
    const inFlight = new Map<string, number>()
    let stop = false
    const writers = Array.from({ length: 8 }, async (_, w) => {
      const mine = targets.filter((_, i) => i % 8 === w).map((r) => r.body.id as string)
      for (let n = 0; !stop; n++) {
        if (n % 3 === 0) {
          const reply = await send(first, 'POST', '/v1/llms', validLlm({ displayName: `burst ${w}-${n}` }))
          if (reply.status === 201) created.push(reply.body.id)
          if (reply.status === 0) return
        } else {
          const id = mine[n % mine.length] as string
          const temperature = Math.round(Math.random() * 200) / 100
          inFlight.set(id, temperature)
          const reply = await send(first, 'PUT', `/v1/llms/${id}`, { temperature })
          if (reply.status === 200) acknowledged.set(id, temperature)
          if (reply.status === 0) return
          inFlight.delete(id)
        }
      }
    })
    await new Promise((r) => setTimeout(r, 700))
    first.child.kill('SIGKILL')
    stop = true
    await Promise.all(writers)
    await first.stop()
    expect(created.length + acknowledged.size).toBeGreaterThan(20)

    const second = await startServer(env)
    try {
      for (const id of created) expect((await send(second, 'GET', `/v1/llms/${id}`)).status, id).toBe(200)
      for (const [id, temperature] of acknowledged) {
        const stored = (await send(second, 'GET', `/v1/llms/${id}`)).body.temperature
        expect([temperature, inFlight.get(id)], id).toContain(stored)
      }
    } finally {
      await second.stop()
    }

    const storage = openDatabase(db.config)
    try {
      if (storage.dialect === 'sqlite') {
        const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(storage.db)
        expect(check.rows).toEqual([{ integrity_check: 'ok' }])
      } else {
        await storage.ping()
      }
    } finally {
      await storage.close()
    }
  })
})
