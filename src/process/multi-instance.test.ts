/**
 * Several server processes on one database: start-up together, concurrent updates with no lost
 * field, and If-Match honoured across instances. Runs on both backends (two processes on one
 * SQLite file is how the CLI and the server share it).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTestDatabase, validLlm, type TestDatabase } from '../testing/harness.js'
import { openDatabase } from '../storage/database.js'
import { KyselyLlmRepository } from '../storage/llm-repository.js'
import { callServer, createOrgKey, runCli, startServer, type ServerProcess } from '../testing/process.js'

let db: TestDatabase
let env: Record<string, string>
let servers: ServerProcess[] = []
let key: string

beforeAll(async () => {
  db = await createTestDatabase()
  env = { DATABASE_URL: db.url, LLMS_ENCRYPTION_KEY: randomBytes(32).toString('base64') }
  // Three instances start at the same moment on a new database: migrations must run once.
  servers = await Promise.all([startServer(env), startServer(env), startServer(env)])
  key = await createOrgKey(env)
}, 120_000)

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await db.drop()
})

async function call(s: ServerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const reply = await callServer(s.baseUrl, method, path, { key, body, headers })
  return { ...reply, etag: reply.headers.get('etag') }
}

/** Ten settable fields and a distinct value for each (LLM, field) pair, never the value it was created with. */
const FIELDS: [string, (n: number) => unknown][] = [
  ['temperature', (n) => 1 + n / 1000],
  ['maxTokens', (n) => 2000 + n],
  ['description', (n) => `description ${n}`],
  ['deploymentName', (n) => `deployment-${n}`],
  ['apiVersion', (n) => `v-${n}`],
  ['modelName', (n) => `model-${n}`],
  ['displayName', (n) => `Name ${n}`],
  ['metadata', (n) => ({ n })],
  ['urls', (n) => [{ url: `https://u${n}.example.com/v1`, region: 'eu' }]],
  ['reasoningEffort', (n) => (['low', 'medium', 'high'] as const)[n % 3]],
]

describe('several instances on one database', () => {
  test('instances that start together migrate once and all serve', async () => {
    for (const s of servers) expect((await fetch(`${s.baseUrl}/readyz`)).status).toBe(200)
    expect(servers.map((s) => s.output()).join('\n')).not.toMatch(/cannot start|"level":50/)
  })

  test('200 concurrent PUTs over two instances, each changing a different field: every change is present', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess]
    const llms = await Promise.all(Array.from({ length: 20 }, () => call(a, 'POST', '/v1/llms', validLlm())))
    const before = new Map(llms.map((r) => [r.body.id as string, r]))
    const writes = llms.flatMap((r, i) =>
      FIELDS.map(([field, value], j) => ({ id: r.body.id as string, field, value: value(i * FIELDS.length + j) })),
    )
    expect(writes).toHaveLength(200)
    const results = await Promise.all(
      writes.map((w, n) => call(n % 2 === 0 ? a : b, 'PUT', `/v1/llms/${w.id}`, { [w.field]: w.value })),
    )
    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([])

    for (const [id, created] of before) {
      const final = await call(b, 'GET', `/v1/llms/${id}`)
      for (const w of writes.filter((x) => x.id === id)) expect(final.body[w.field], w.field).toEqual(w.value)
      // Ten changes, ten version steps: none was swallowed by another.
      expect(final.etag).toBe(`"${1 + FIELDS.length}"`)
      expect(final.etag).not.toBe(created.etag)
      expect(final.body.updatedAt).not.toBeNull()
      expect(final.body.createdAt).toBe(created.body.createdAt)
    }
  })

  test('a PUT with a stale If-Match sent to the other instance answers 412 and changes nothing', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess]
    const llm = (await call(a, 'POST', '/v1/llms', validLlm())).body
    const seen = await call(a, 'GET', `/v1/llms/${llm.id}`)
    expect((await call(a, 'PUT', `/v1/llms/${llm.id}`, { temperature: 1.5 }, { 'if-match': seen.etag ?? '' })).status).toBe(200)
    const stale = await call(b, 'PUT', `/v1/llms/${llm.id}`, { temperature: 0.1 }, { 'if-match': seen.etag ?? '' })
    expect(stale.status).toBe(412)
    expect((await call(b, 'GET', `/v1/llms/${llm.id}`)).body.temperature).toBe(1.5)
    const staleDelete = await call(b, 'DELETE', `/v1/llms/${llm.id}`, undefined, { 'if-match': seen.etag ?? '' })
    expect(staleDelete.status).toBe(412)
  })

  test('read after write across instances: every read, warm or not, shows the write the other instance acknowledged', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess]
    const tag = `raw-${randomBytes(4).toString('hex')}`
    const llm = (await call(a, 'POST', '/v1/llms', validLlm({ displayName: `${tag} 0` }))).body
    const listPath = `/v1/llms?search=${tag}&perPage=5`
    for (let n = 1; n <= 60; n++) {
      // Warm the reader's answers (GET by id, the search page), then write through the other one.
      const [reader, writer] = n % 2 === 0 ? [a, b] : [b, a]
      await call(reader, 'GET', `/v1/llms/${llm.id}`)
      await call(reader, 'GET', listPath)
      const written = await call(writer, 'PUT', `/v1/llms/${llm.id}`, { temperature: n / 100, displayName: `${tag} ${n}` })
      expect(written.status).toBe(200)
      const read = await call(reader, 'GET', `/v1/llms/${llm.id}`)
      expect([read.body.temperature, read.etag]).toEqual([n / 100, written.etag])
      expect((await call(reader, 'GET', `/v1/llms/${llm.id}`, undefined, { 'if-none-match': written.etag ?? '' })).status).toBe(304)
      const page = await call(reader, 'GET', listPath)
      expect(page.body.data.map((l: { displayName: string }) => l.displayName)).toEqual([`${tag} ${n}`])
    }
    // A delete on one is seen at once by the other, and a create appears in its pages.
    await call(a, 'GET', `/v1/llms/${llm.id}`)
    expect((await call(b, 'DELETE', `/v1/llms/${llm.id}`)).status).toBe(204)
    expect((await call(a, 'GET', `/v1/llms/${llm.id}`)).status).toBe(404)
    expect((await call(a, 'GET', listPath)).body.meta.total).toBe(0)
    await call(b, 'POST', '/v1/llms', validLlm({ displayName: `${tag} again` }))
    expect((await call(a, 'GET', listPath)).body.meta.total).toBe(1)
  })

  test('a row changed in the database without its version moving, or replaced under the same id, is read fresh by every instance', async () => {
    const [a] = servers as [ServerProcess, ServerProcess]
    const llm = (await call(a, 'POST', '/v1/llms', validLlm({ displayName: 'before' }))).body
    const names = async () => Promise.all(servers.map(async (s) => (await call(s, 'GET', `/v1/llms/${llm.id}`)).body.displayName))
    expect(await names()).toEqual(['before', 'before', 'before'])
    expect(await names()).toEqual(['before', 'before', 'before'])
    const storage = openDatabase(db.config)
    try {
      // In place, at the same version (as re-encrypting a secret under a new key writes).
      await storage.db.updateTable('llms').set({ display_name: 'in place' }).where('id', '=', llm.id).execute()
      expect(await names()).toEqual(['in place', 'in place', 'in place'])
      // Deleted and created again under its id, at version 1 again (as an operator's copy may).
      const repository = new KyselyLlmRepository(storage)
      const stored = await repository.findById(llm.id)
      if (stored === undefined) throw new Error('the LLM is gone')
      await repository.remove(llm.id, () => undefined, 'test')
      await repository.insert({ ...stored, displayName: 'replaced' }, 'test')
      expect(await names()).toEqual(['replaced', 'replaced', 'replaced'])
      for (const s of servers) expect((await call(s, 'GET', `/v1/llms/${llm.id}`)).etag).toBe('"1"')
    } finally {
      await storage.close()
    }
  })

  test('a change the CLI writes into the database directly is read at once by every instance', async () => {
    const [a] = servers as [ServerProcess, ServerProcess]
    const llm = (await call(a, 'POST', '/v1/llms', validLlm())).body
    expect((await call(a, 'GET', `/v1/llms/${llm.id}`)).body.isGlobal).toBe(false)
    const cli = await runCli(['llms', 'flag', llm.id, '--global', '--tags', 'fast'], env)
    expect(cli.code, cli.stderr).toBe(0)
    for (const s of servers) expect((await call(s, 'GET', `/v1/llms/${llm.id}`)).body).toMatchObject({ isGlobal: true, displayTags: ['fast'] })
  })

  test('a key revoked through the CLI stops working on every instance', async () => {
    const extra = (await runCli(['keys', 'create', '--org', 'acme'], env)).stdout.trim()
    const probe = (s: ServerProcess) => fetch(`${s.baseUrl}/v1/llms`, { headers: { authorization: `Bearer ${extra}` } })
    for (const s of servers) expect((await probe(s)).status).toBe(200)
    await runCli(['keys', 'revoke', extra.slice(5, 21)], env)
    // Other instances may cache a key for a few seconds; within 10 s every one refuses it.
    const deadline = Date.now() + 10_000
    for (const s of servers) {
      let status = 200
      while (status === 200 && Date.now() < deadline) {
        status = (await probe(s)).status
        if (status === 200) await new Promise((r) => setTimeout(r, 200))
      }
      expect(status).toBe(401)
    }
  })
})
