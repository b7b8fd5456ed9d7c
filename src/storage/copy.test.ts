/**
 * `llm-registry db copy`: a few thousand LLMs move from an embedded database to the backend under
 * test (and back into a new embedded one), and every record reads the same through the API on both sides.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SecretBox } from '../crypto/secret-box.js'
import type { StoredLlm } from '../domain/llm.js'
import { createTestDatabase, type TestDatabase } from '../testing/harness.js'
import { callServer, runCli, startServer, type ServerProcess } from '../testing/process.js'
import { openDatabase } from './database.js'
import { KyselyLlmRepository } from './llm-repository.js'
import { organizationsOf } from '../services.js'
import { prepareDatabase } from './prepare.js'

const RECORDS = 3000
const ORGS = 3

let source: TestDatabase
let target: TestDatabase
let env: Record<string, string>
let box: SecretBox
const keys: string[] = []
const secrets = new Map<string, string>()
let changed: string

beforeAll(async () => {
  source = await createTestDatabase('sqlite')
  target = await createTestDatabase()
  const encryptionKey = randomBytes(32)
  box = new SecretBox(encryptionKey)
  env = { LLMS_ENCRYPTION_KEY: encryptionKey.toString('base64') }

  const storage = openDatabase(source.config)
  await prepareDatabase(storage)
  const orgs = organizationsOf(storage)
  const llms = new KyselyLlmRepository(storage)
  const batch: StoredLlm[] = []
  for (let o = 0; o < ORGS; o++) {
    const org = await orgs.createOrganization(`org-${o}`)
    keys.push((await orgs.createApiKey(org.id, ['llms:read', 'llms:write'])).raw)
    for (let i = 0; i < RECORDS / ORGS; i++) {
      const id = randomUUID()
      const secret = `sk-${o}-${i}-${randomBytes(4).toString('hex')}`
      secrets.set(id, secret)
      const at = new Date(Date.UTC(2026, 0, 1) + (o * RECORDS + i) * 1000).toISOString()
      batch.push({
        id,
        displayName: `LLM ${o}/${i}`,
        description: i % 3 === 0 ? null : `description ${i} with 100% of _chars_`,
        llmFormat: 'openai',
        urls: [{ url: `https://api.example.com/${i}`, region: 'eu' }],
        modelName: `model-${i % 7}`,
        temperature: (i % 21) / 10,
        maxTokens: i % 2 === 0 ? null : 256 + i,
        deploymentName: null,
        apiVersion: i % 5 === 0 ? '2024-06-01' : null,
        metadata: { i, nested: { tags: ['a', 'b'], on: i % 2 === 0 } },
        displayTags: i % 100 === 0 ? ['tagged'] : [],
        isDefault: false,
        isGlobal: i === 0,
        isZdr: i % 4 === 0,
        reasoningEffort: 'medium',
        reasoningFormat: 'raw',
        createdByOrganizationId: org.id,
        createdAt: at,
        updatedAt: i % 2 === 0 ? null : at,
        hasSecret: true,
        secretUpdatedAt: at,
        sealedSecret: box.seal(secret, id),
        version: 1 + (i % 3),
      })
    }
  }
  for (let i = 0; i < batch.length; i += 200) await llms.insertMissing(batch.slice(i, i + 200))
  // One change with a history entry, to see the audit trail travel with the data.
  changed = batch[0]?.id ?? ''
  await llms.modify(changed, (current) => (current === undefined ? null : { ...current, temperature: 1.99 }), 'operator')
  await storage.close()
}, 120_000)

afterAll(async () => {
  await source.drop()
  await target.drop()
})

async function everyRecord(s: ServerProcess, key: string): Promise<{ body: unknown[]; etags: Map<string, string> }> {
  const body: any[] = []
  for (let page = 1; ; page++) {
    const reply = await fetch(`${s.baseUrl}/v1/llms?page=${page}&perPage=100`, { headers: { authorization: `Bearer ${key}` } })
    const json = (await reply.json()) as any
    body.push(...json.data)
    if (json.meta.next === null) break
  }
  const etags = new Map<string, string>()
  for (const llm of body.slice(0, 20)) {
    const reply = await fetch(`${s.baseUrl}/v1/llms/${llm.id}`, { headers: { authorization: `Bearer ${key}` } })
    etags.set(llm.id, reply.headers.get('etag') ?? '')
  }
  return { body, etags }
}

describe('db copy', () => {
  test(`copies ${RECORDS} LLMs, their organizations and keys; every record reads the same on both sides`, async () => {
    const copied = await runCli(['db', 'copy', '--from', source.url, '--to', target.url], env)
    expect(copied.code, copied.stderr).toBe(0)
    // One audit event per key created; the seeded LLMs were inserted without any. One version
    // snapshot per LLM inserted (defaults included), and one for the change, which records its event.
    expect(copied.stdout).toBe(
      `organizations\t${ORGS}\napi_keys\t${ORGS}\nllms\t${RECORDS + 4}\naudit_events\t${ORGS}\nllm_versions\t${RECORDS + 4 + 1}\n`,
    )

    const before = await startServer({ ...env, DATABASE_URL: source.url })
    const after = await startServer({ ...env, DATABASE_URL: target.url })
    try {
      for (const key of keys) {
        const [a, b] = await Promise.all([everyRecord(before, key), everyRecord(after, key)])
        expect(a.body.length).toBe(RECORDS / ORGS + 4 + ORGS - 1)
        expect(b.body).toEqual(a.body)
        expect(b.etags).toEqual(a.etags)
      }
      const history = (s: ServerProcess) =>
        callServer(s.baseUrl, 'GET', `/v1/llms/${changed}/history`, { key: keys[0] }).then((r) => r.body)
      const [historyBefore, historyAfter] = await Promise.all([history(before), history(after)])
      expect(historyBefore.data.map((e: any) => e.fields)).toEqual([['temperature']])
      expect(historyAfter).toEqual(historyBefore)
      const versions = (s: ServerProcess) =>
        callServer(s.baseUrl, 'GET', `/v1/llms/${changed}/versions/1/diff/2`, { key: keys[0] }).then((r) => r.body)
      const [versionsBefore, versionsAfter] = await Promise.all([versions(before), versions(after)])
      expect(versionsBefore.changes.map((c: any) => c.field)).toEqual(['temperature'])
      expect(versionsAfter).toEqual(versionsBefore)
    } finally {
      await Promise.all([before.stop(), after.stop()])
    }

    // Secrets stay sealed under the same key and still open on the target.
    const storage = openDatabase(target.config)
    try {
      const repository = new KyselyLlmRepository(storage)
      for (const id of [...secrets.keys()].slice(0, 50)) {
        const stored = await repository.findById(id)
        expect(box.open(stored?.sealedSecret ?? '', id)).toBe(secrets.get(id))
      }
    } finally {
      await storage.close()
    }
  })

  test(`copies back into a new embedded database: every LLM's versions read as they did, and its next write adds one`, async () => {
    // From the backend under test (PostgreSQL's versions keyed by LLM and version) into SQLite,
    // whose versions are chains the target links as the rows arrive (see migration 0009).
    const back = await createTestDatabase('sqlite')
    try {
      const copied = await runCli(['db', 'copy', '--from', target.url, '--to', back.url], env)
      expect(copied.code, copied.stderr).toBe(0)
      const [there, here] = [await startServer({ ...env, DATABASE_URL: target.url }), await startServer({ ...env, DATABASE_URL: back.url })]
      try {
        const versions = (s: ServerProcess, id: string) => callServer(s.baseUrl, 'GET', `/v1/llms/${id}/versions`, { key: keys[0] }).then((r) => r.body)
        for (const id of [changed, ...[...secrets.keys()].slice(1, 4)]) expect(await versions(here, id)).toEqual(await versions(there, id))
        expect((await versions(here, changed)).data.map((v: any) => v.version)).toEqual([2, 1])
        const put = await callServer(here.baseUrl, 'PUT', `/v1/llms/${changed}`, { key: keys[0], body: { temperature: 0.25 } })
        expect(put.status).toBe(200)
        expect((await versions(here, changed)).data.map((v: any) => v.version)).toEqual([3, 2, 1])
      } finally {
        await Promise.all([there.stop(), here.stop()])
      }
    } finally {
      await back.drop()
    }
  })

  test('refuses a target that holds data unless --force, and then replaces it', async () => {
    const refused = await runCli(['db', 'copy', '--from', source.url, '--to', target.url], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('holds data already; pass --force')
    const forced = await runCli(['db', 'copy', '--from', source.url, '--to', target.url, '--force'], env)
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stdout).toContain(`llms\t${RECORDS + 4}`)
  })
})
