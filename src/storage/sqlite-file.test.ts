/**
 * The SQLite file's layout: a new database is made with 8 KiB pages (see SQLITE_PAGE_SIZE in
 * database.ts); a file an earlier build made with SQLite's default 4 KiB pages keeps them and
 * serves every write and read the same. SQLite only.
 */
import { randomBytes } from 'node:crypto'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { SecretBox } from '../crypto/secret-box.js'
import { BACKEND, Harness, createTestDatabase, stopHarness } from '../testing/harness.js'

const run = BACKEND === 'sqlite'
let h: Harness | undefined

afterEach(async () => {
  await stopHarness(h)
  h = undefined
})

/** The page size and journal mode of the file, read by a connection of its own. */
function layoutOf(path: string): { pageSize: unknown; journalMode: unknown } {
  const file = new SQLite(path, { readonly: true })
  try {
    return { pageSize: file.pragma('page_size', { simple: true }), journalMode: file.pragma('journal_mode', { simple: true }) }
  } finally {
    file.close()
  }
}

/** Creates, updates and reads an LLM through the API; returns what the read answered. */
async function writeAndRead(harness: Harness): Promise<Record<string, unknown>> {
  const t = await harness.tenant()
  const created = await harness.createLlm(t.key, { temperature: 0.2 })
  const updated = await harness.put(`/v1/llms/${created.id}`, t.key, { temperature: 1.3, metadata: { blob: 'x'.repeat(15_000) } })
  expect(updated.status).toBe(200)
  const read = await harness.get(`/v1/llms/${created.id}`, t.key)
  expect(read.status).toBe(200)
  const versions = await harness.get(`/v1/llms/${created.id}/versions`, t.key)
  expect(versions.status).toBe(200)
  expect((versions.body as { data: unknown[] }).data).toHaveLength(2)
  return read.body as Record<string, unknown>
}

describe.runIf(run)('the SQLite file', () => {
  test('a new database is made with 8 KiB pages, in WAL mode', async () => {
    const database = await createTestDatabase('sqlite')
    h = new Harness(database, new SecretBox(randomBytes(32)))
    await h.start()
    const read = await writeAndRead(h)
    expect(read).toMatchObject({ temperature: 1.3, metadata: { blob: 'x'.repeat(15_000) } })
    if (database.config.dialect !== 'sqlite') throw new Error('sqlite only')
    expect(layoutOf(database.config.path)).toEqual({ pageSize: 8192, journalMode: 'wal' })
  })

  test('a file made with 4 KiB pages keeps them, and writes and reads work the same', async () => {
    const database = await createTestDatabase('sqlite')
    if (database.config.dialect !== 'sqlite') throw new Error('sqlite only')
    // As an earlier build left it: SQLite's default page size, already in WAL mode.
    const earlier = new SQLite(database.config.path)
    earlier.pragma('page_size = 4096')
    earlier.pragma('journal_mode = WAL')
    earlier.close()
    h = new Harness(database, new SecretBox(randomBytes(32)))
    await h.start()
    const read = await writeAndRead(h)
    expect(read).toMatchObject({ temperature: 1.3, metadata: { blob: 'x'.repeat(15_000) } })
    expect(layoutOf(database.config.path)).toEqual({ pageSize: 4096, journalMode: 'wal' })
  })
})
