/** The process as an operator runs it: first start, configuration, restart, shutdown, CLI. */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, test } from 'vitest'
import { SecretBox, parseEncryptionKey } from '../crypto/secret-box.js'
import { openDatabase } from '../storage/database.js'
import { KyselyLlmRepository } from '../storage/llm-repository.js'
import { BACKEND, createTestDatabase, validLlm, type TestDatabase } from '../testing/harness.js'
import { callServer, createOrgKey, runCli, startFailingServer, startServer, type ServerProcess } from '../testing/process.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase()
  cleanups.push(() => db.drop())
  return db
}

/** The environment for a database: PostgreSQL needs an explicit key, SQLite makes a key file. */
function envFor(db: TestDatabase, key?: string): Record<string, string> {
  const env: Record<string, string> = { DATABASE_URL: db.url }
  if (key !== undefined) env.LLMS_ENCRYPTION_KEY = key
  else if (BACKEND === 'postgres') env.LLMS_ENCRYPTION_KEY = randomBytes(32).toString('base64')
  return env
}

async function server(env: Record<string, string>): Promise<ServerProcess> {
  const s = await startServer(env)
  cleanups.push(() => s.stop())
  return s
}

const call = (s: ServerProcess, method: string, path: string, key?: string, body?: unknown) =>
  callServer(s.baseUrl, method, path, { key, body })

function firstKeyIn(output: string): string | undefined {
  return /API key: (llmr_\S+)/.exec(output)?.[1]
}

describe('start-up', () => {
  test.runIf(BACKEND === 'postgres')(
    'on PostgreSQL the server prints no key: operators create organizations and keys with the CLI',
    async () => {
      const db = await database()
      const s = await server(envFor(db))
      expect(firstKeyIn(s.output())).toBeUndefined()
      expect(s.output()).not.toContain('First start')
    },
  )

  test.runIf(BACKEND === 'postgres')(
    "on PostgreSQL the server warns at start when autovacuum does not reach llm_versions (every write leaves a dead row there), and only then",
    async () => {
      const db = await database()
      const env = envFor(db)
      const warning = "PostgreSQL's autovacuum is off for this table"
      const storage = openDatabase(db.config)
      cleanups.push(() => storage.close())
      const setting = async () => (await sql<{ autovacuum: string }>`show autovacuum`.execute(storage.db)).rows[0]?.autovacuum

      const first = await server(env)
      // The server's own setting decides the first start (it is off on some machines, on by default).
      expect(first.output().includes(warning)).toBe((await setting()) === 'off')
      await first.stop()

      await sql`alter table llm_versions set (autovacuum_enabled = off)`.execute(storage.db)
      const second = await server(env)
      expect(second.output()).toContain(warning)
      expect(second.output()).toContain('"table":"llm_versions"')
      await second.stop()

      await sql`alter table llm_versions set (autovacuum_enabled = on)`.execute(storage.db)
      const third = await server(env)
      expect(third.output().includes(warning)).toBe((await setting()) === 'off')
    },
  )

  test.runIf(BACKEND === 'sqlite')(
    'the first start of an empty embedded database prints a working key once, and makes a 0600 key file',
    async () => {
      const db = await database()
      const first = await server(envFor(db))
      const key = firstKeyIn(first.output())
      expect(key).toBeDefined()
      expect(first.output().match(/API key: /g)).toHaveLength(1)
      const listed = await call(first, 'GET', '/v1/llms', key)
      expect(listed.status).toBe(200)
      expect(listed.body.meta.total).toBe(4)
      expect((await call(first, 'POST', '/v1/llms', key, validLlm())).status).toBe(201)
      // The key is printed, never logged: no JSON log line carries it.
      const logLines = first.output().split('\n').filter((l) => l.startsWith('{'))
      expect(logLines.some((l) => l.includes(key ?? '-'))).toBe(false)
      const keyFile = join(dirname(db.url.slice('sqlite:'.length)), 'encryption.key')
      expect(statSync(keyFile).mode & 0o777).toBe(0o600)
      expect(first.output()).toContain('created a new encryption key file')
      expect(await first.stop()).toBe(0)

      const second = await server(envFor(db))
      expect(firstKeyIn(second.output())).toBeUndefined()
      expect(second.output()).not.toContain('created a new encryption key file')
      // A later start says how to get a key, and the command it names works.
      expect(second.output()).toContain('Need an API key? Run: npx llm-registry keys create --org default')
      const made = await runCli(['keys', 'create', '--org', 'default'], envFor(db))
      expect((await call(second, 'GET', '/v1/llms', made.stdout.trim())).status).toBe(200)
      expect((await call(second, 'GET', '/v1/llms', key)).status).toBe(200)
    },
  )

  test('a malformed LLMS_ENCRYPTION_KEY stops start-up with a message naming the variable', async () => {
    const db = await database()
    const result = await startFailingServer({ ...envFor(db), LLMS_ENCRYPTION_KEY: 'not-base64-of-32-bytes!' })
    expect(result.code).toBe(1)
    expect(result.output).toContain('LLMS_ENCRYPTION_KEY must be base64 of 32 bytes')
    const short = await startFailingServer({ ...envFor(db), LLMS_ENCRYPTION_KEY: randomBytes(16).toString('base64') })
    expect(short.output).toContain('it decodes to 16')
  })

  test.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['DATABASE_POOL_MAX', '0'],
  ])('%s=%s stops start-up with a message naming it', async (name, value) => {
    const db = await database()
    const result = await startFailingServer({ ...envFor(db), [name]: value })
    expect(result.code).toBe(1)
    expect(result.output).toContain(`llm-registry: cannot start: ${name}`)
  })

  test('a port already in use stops start-up with a message that says to set PORT', async () => {
    const db = await database()
    const first = await server(envFor(db))
    const port = new URL(first.baseUrl).port
    const result = await startFailingServer({ ...envFor(db), PORT: port })
    expect(result.code).toBe(1)
    expect(result.output).toContain(`llm-registry: cannot start: port ${port} is already in use on 127.0.0.1`)
    expect(result.output).toContain('PORT=<port>')
    expect((await call(first, 'GET', '/healthz')).status).toBe(200)
  })

  test('a key that cannot open the stored secrets stops start-up instead of serving them', async () => {
    const db = await database()
    const key = randomBytes(32).toString('base64')
    const s = await server(envFor(db, key))
    const org = await runCli(['orgs', 'create', 'acme'], envFor(db, key))
    expect(org.code).toBe(0)
    const apiKey = (await runCli(['keys', 'create', '--org', 'acme'], envFor(db, key))).stdout.trim()
    expect((await call(s, 'POST', '/v1/llms', apiKey, validLlm())).status).toBe(201)
    await s.stop()
    const wrong = await startFailingServer(envFor(db, randomBytes(32).toString('base64')))
    expect(wrong.code).toBe(1)
    expect(wrong.output).toMatch(/cannot open secrets stored under key id/)
  })
})

describe('restart and shutdown', () => {
  test('a restart on the same data keeps everything, secrets included', async () => {
    const db = await database()
    const env = envFor(db)
    const apiKey = await createOrgKey(env)
    const first = await server(env)
    const created = await call(first, 'POST', '/v1/llms', apiKey, validLlm({ secret: 'sk-survives-restart' }))
    const updated = await call(first, 'PUT', `/v1/llms/${created.body.id}`, apiKey, { temperature: 1.3, metadata: { k: [1, 2] } })
    expect(updated.status).toBe(200)
    expect(await first.stop()).toBe(0)

    const second = await server(env)
    const again = await call(second, 'GET', `/v1/llms/${created.body.id}`, apiKey)
    expect(again.body).toEqual(updated.body)
    await second.stop()

    // The secret, read through the repository layer and opened with the key the server used.
    const keyText =
      env.LLMS_ENCRYPTION_KEY ?? readFileSync(join(dirname(db.url.slice('sqlite:'.length)), 'encryption.key'), 'utf8')
    const storage = openDatabase(db.config)
    try {
      const stored = await new KyselyLlmRepository(storage).findById(created.body.id)
      expect(new SecretBox(parseEncryptionKey(keyText)).open(stored?.sealedSecret ?? '', created.body.id)).toBe(
        'sk-survives-restart',
      )
    } finally {
      await storage.close()
    }
  })

  test('SIGTERM lets in-flight requests finish, closes the database and exits 0', async () => {
    const db = await database()
    const env = envFor(db)
    const apiKey = await createOrgKey(env)
    const s = await server(env)
    const inFlight = Promise.allSettled(Array.from({ length: 20 }, () => call(s, 'POST', '/v1/llms', apiKey, validLlm())))
    await new Promise((r) => setTimeout(r, 5))
    const code = await s.stop('SIGTERM')
    // A connection whose request had not arrived yet may be reset; one that was being served is answered.
    const results = await inFlight
    expect(code).toBe(0)
    expect(s.output()).toContain('"msg":"stopped"')
    const answered = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value)
    // Every request the server accepted was answered in full; none was cut off with a 5xx.
    expect(answered.every((r) => r.status === 201 || r.status === 503)).toBe(true)
  })
})

describe('the CLI', () => {
  test('keys create prints the raw key and nothing else on stdout; --read-only makes a read key', async () => {
    const db = await database()
    const env = envFor(db)
    const org = await runCli(['orgs', 'create', 'acme'], env)
    expect(org.stdout).toMatch(/^[0-9a-f-]{36}\n$/)
    const rw = await runCli(['keys', 'create', '--org', 'acme'], env)
    expect(rw.stdout).toMatch(/^llmr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/)
    const ro = await runCli(['keys', 'create', '--org', org.stdout.trim(), '--read-only'], env)
    const s = await server(env)
    expect((await call(s, 'POST', '/v1/llms', ro.stdout.trim(), validLlm())).status).toBe(403)
    expect((await call(s, 'POST', '/v1/llms', rw.stdout.trim(), validLlm())).status).toBe(201)
    const listed = await runCli(['keys', 'list', '--org', 'acme'], env)
    expect(listed.stdout.trim().split('\n')).toHaveLength(2)
    expect(listed.stdout).not.toContain(rw.stdout.trim())
    expect(listed.stdout).toContain('llms:read\t')
  })

  test('keys revoke makes the key answer 401', async () => {
    const db = await database()
    const env = envFor(db)
    const key = await createOrgKey(env)
    const s = await server(env)
    expect((await call(s, 'GET', '/v1/llms', key)).status).toBe(200)
    const keyId = key.slice(5, 21)
    expect((await runCli(['keys', 'revoke', keyId], env)).code).toBe(0)
    let status = 200
    for (let i = 0; i < 100 && status === 200; i++) {
      status = (await call(s, 'GET', '/v1/llms', key)).status
      if (status === 200) await new Promise((r) => setTimeout(r, 100))
    }
    expect(status).toBe(401)
    expect((await runCli(['keys', 'revoke', keyId], env)).code).toBe(2)
  })

  test('llms flag is the only way to make an LLM global; it is then visible to other organizations', async () => {
    const db = await database()
    const env = envFor(db)
    const ownerKey = await createOrgKey(env, 'owner')
    const otherKey = await createOrgKey(env, 'other')
    const s = await server(env)
    const llm = (await call(s, 'POST', '/v1/llms', ownerKey, validLlm())).body
    expect((await call(s, 'GET', `/v1/llms/${llm.id}`, otherKey)).status).toBe(404)
    const flagged = await runCli(['llms', 'flag', llm.id, '--global', '--zdr', '--tags', 'fast,cheap'], env)
    expect(flagged.code).toBe(0)
    const seen = await call(s, 'GET', `/v1/llms/${llm.id}`, otherKey)
    expect(seen.body).toMatchObject({ isGlobal: true, isZdr: true, displayTags: ['fast', 'cheap'] })
    expect((await runCli(['llms', 'flag', llm.id, '--no-global'], env)).code).toBe(0)
    expect((await call(s, 'GET', `/v1/llms/${llm.id}`, otherKey)).status).toBe(404)
    expect((await runCli(['llms', 'flag', 'absent-id', '--zdr'], env)).code).toBe(2)
  })

  test('the CLI creates and migrates a new database, so it can run before the server ever has', async () => {
    const db = await database()
    if (db.config.dialect === 'sqlite') expect(existsSync(db.config.path)).toBe(false)
    const result = await runCli(['orgs', 'list'], envFor(db))
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    const unknown = await runCli(['frobnicate'], envFor(db))
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command')
  })
})
