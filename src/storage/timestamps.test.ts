/**
 * PostgreSQL's timestamps reach the API as the ISO text the service writes (`…T01:47:01.123Z`),
 * whatever time zone the database's sessions are in and however many digits of a second a row
 * holds (one written by SQL's `now()` holds microseconds): see isoOfTimestamptz. PostgreSQL only.
 */
import { randomBytes } from 'node:crypto'
import { CompiledQuery } from 'kysely'
import pg from 'pg'
import { afterEach, describe, expect, test } from 'vitest'
import { SecretBox } from '../crypto/secret-box.js'
import type { Storage } from './database.js'
import { BACKEND, Harness, createTestDatabase } from '../testing/harness.js'

let harness: Harness | undefined

afterEach(async () => {
  await harness?.stop()
  await harness?.database.drop()
  harness = undefined
})

describe.runIf(BACKEND === 'postgres')('timestamps on PostgreSQL', () => {
  test.each(['UTC', 'Asia/Kolkata', 'America/St_Johns'])('with the sessions in %s, every endpoint gives the instant a row holds, in UTC, to the millisecond', async (zone) => {
    const database = await createTestDatabase()
    const sql = new pg.Client({ connectionString: database.url })
    await sql.connect()
    try {
      // Every session opened on this database from now on, the service's included, is in `zone`.
      await sql.query(`alter database "${new URL(database.url).pathname.slice(1)}" set timezone = '${zone}'`)
      harness = new Harness(database, new SecretBox(randomBytes(32)))
      await harness.start()
      const storage = harness.storage as Storage
      const { rows } = await storage.db.executeQuery<{ zone: string }>(CompiledQuery.raw(`select current_setting('TimeZone') as zone`))
      expect(rows[0]?.zone).toBe(zone)
      const { key } = await harness.tenant()
      const created = await harness.createLlm(key)
      expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

      // What the service wrote reads back as it was written.
      const history = await harness.get(`/v1/llms/${created.id}/history`, key)
      expect(history.status).toBe(200)
      expect(history.body.data[0].at).toBe(created.createdAt)

      // Microseconds, as a row written by SQL holds them, are cut to the millisecond, as a Date would.
      await sql.query(`update llms set updated_at = '2026-12-08 01:47:01.123456+00', secret_updated_at = '2024-02-29 23:59:59.9999+00' where id = $1`, [created.id])
      const expected = { id: created.id, createdAt: created.createdAt, updatedAt: '2026-12-08T01:47:01.123Z', secretUpdatedAt: '2024-02-29T23:59:59.999Z' }
      const got = await harness.get(`/v1/llms/${created.id}`, key)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject(expected)
      const page = await harness.get('/v1/llms?page=1&perPage=10', key)
      expect(page.status).toBe(200)
      expect(page.body.data.find((llm: { id: string }) => llm.id === created.id)).toMatchObject(expected)
    } finally {
      await sql.end()
    }
  })
})
