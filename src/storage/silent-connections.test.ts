/**
 * A connection to PostgreSQL that goes silent (a network partition sends no reset): its statement
 * fails after the query timeout, and the connection is dropped with it, so the next statement
 * goes on a fresh one at once instead of waiting out the timeout again, whichever way it reaches
 * PostgreSQL. PostgreSQL only.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BACKEND, createTestDatabase, type TestDatabase } from '../testing/harness.js'
import { Outage } from '../testing/outage.js'
import { openDatabase, type PgStatements, type Storage } from './database.js'

const run = BACKEND === 'postgres'
const TIMEOUT_MS = 500
let database: TestDatabase
let outage: Outage
let storage: Storage

beforeAll(async () => {
  if (!run) return
  database = await createTestDatabase()
  outage = new Outage()
  await outage.open()
  storage = openDatabase({ dialect: 'postgres', url: outage.reaching(database.url), poolMax: 2 }, { queryTimeoutMs: TIMEOUT_MS })
})

afterAll(async () => {
  if (!run) return
  await storage.close()
  await outage.cut()
  await database.drop()
})

describe.runIf(run)('connections that go silent', () => {
  test('each way to PostgreSQL fails its statement after the timeout, then answers the next one on a fresh connection at once', async () => {
    const pg = storage.pg as PgStatements
    const one = (rows: { n: number }[]) => rows[0]?.n
    const ways: Record<string, () => Promise<number | undefined>> = {
      'the query builder, through the pool': async () => one((await sql<{ n: number }>`select 1 as n`.execute(storage.db)).rows),
      'a prepared statement, through the pool': async () => one(await pg.rows<{ n: number }>('select 1 as n', [])),
      'the connection kept for reads': async () => one(await pg.kept<{ n: number }>('select 1 as n', [])),
      'the connection kept for writes, pipelined': async () => one(await pg.pipelined<{ n: number }>('select 1 as n', [])),
    }
    // Both of the pool's connections open (two statements at once), and each kept one.
    await Promise.all([pg.rows('select pg_sleep(0.05)', []), pg.rows('select pg_sleep(0.05)', [])])
    for (const way of Object.values(ways)) expect(await way()).toBe(1)

    outage.freeze()
    const failed = await Promise.allSettled(Object.values(ways).map((way) => way()))
    expect(failed.map((outcome) => outcome.status)).toEqual(Object.keys(ways).map(() => 'rejected'))

    for (const [name, way] of Object.entries(ways)) {
      const started = Date.now()
      expect(await way(), name).toBe(1)
      expect(Date.now() - started, name).toBeLessThan(TIMEOUT_MS)
    }
  })
})
