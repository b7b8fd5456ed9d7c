/** `llm-registry secrets rotate-key`: every secret re-sealed under a new key, resumable. */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SecretBox } from '../crypto/secret-box.js'
import { Harness, createTestDatabase, type Tenant } from '../testing/harness.js'
import { runCli, startFailingServer } from '../testing/process.js'

const oldKey = randomBytes(32)
const newKey = randomBytes(32)
let h: Harness
let t: Tenant
const secrets = new Map<string, string>()

beforeAll(async () => {
  h = new Harness(await createTestDatabase(), new SecretBox(oldKey))
  await h.start()
  t = await h.tenant()
  for (let i = 0; i < 30; i++) {
    const secret = `sk-rotate-${i}-${randomBytes(6).toString('hex')}`
    secrets.set((await h.createLlm(t.key, { secret })).id, secret)
  }
})
afterAll(async () => {
  await h.stop()
  await h.database.drop()
})

async function sealedUnder(): Promise<Map<string, string>> {
  const rows = await h.requireStorage().db.selectFrom('llms').select(['id', 'secret_key_id']).where('secret_sealed', 'is not', null).execute()
  return new Map(rows.map((r) => [r.id, r.secret_key_id ?? '']))
}

describe('secrets rotate-key', () => {
  test('re-seals every secret under the new key; an interrupted rotation resumes and finishes', async () => {
    const env = {
      DATABASE_URL: h.database.url,
      LLMS_ENCRYPTION_KEY: newKey.toString('base64'),
      LLMS_PREVIOUS_ENCRYPTION_KEYS: oldKey.toString('base64'),
    }
    for (const limit of ['0x2', '1.5', '0', '']) {
      const refused = await runCli(['secrets', 'rotate-key', '--limit', limit], env)
      expect([limit, refused.code, refused.stderr]).toEqual([limit, 2, expect.stringContaining(`--limit must be a whole number above 0 (got "${limit}")`)])
    }
    // Interrupted after 10: the rest still open with the old key, which keeps working meanwhile.
    const partial = await runCli(['secrets', 'rotate-key', '--limit', '10'], env)
    expect(partial.code, partial.stderr).toBe(0)
    expect(partial.stdout).toBe('rotated\t10\nremaining\t20\n')
    const oldBox = new SecretBox(oldKey)
    const newBox = new SecretBox(newKey)
    const middle = await sealedUnder()
    expect([...middle.values()].filter((k) => k === newBox.keyId)).toHaveLength(10)
    for (const [id, keyId] of middle) {
      const stored = await h.stored(id)
      const box = keyId === newBox.keyId ? newBox : oldBox
      expect(box.open(stored?.sealedSecret ?? '', id)).toBe(secrets.get(id))
    }
    // The API keeps working during the rotation.
    expect((await h.put(`/v1/llms/${[...secrets.keys()][0]}`, t.key, { temperature: 0.3 })).status).toBe(200)

    const rest = await runCli(['secrets', 'rotate-key'], env)
    expect(rest.stdout).toBe('rotated\t20\nremaining\t0\n')
    expect((await runCli(['secrets', 'rotate-key'], env)).stdout).toBe('rotated\t0\nremaining\t0\n')

    // The new key alone now opens every secret, to its original value.
    for (const [id, secret] of secrets) {
      const stored = await h.stored(id)
      expect(newBox.open(stored?.sealedSecret ?? '', id)).toBe(secret)
      expect(() => oldBox.open(stored?.sealedSecret ?? '', id)).toThrow()
    }
  })

  test('a server given only the old key refuses to start once secrets are under the new one', async () => {
    const result = await startFailingServer({ DATABASE_URL: h.database.url, LLMS_ENCRYPTION_KEY: oldKey.toString('base64') })
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/cannot open secrets stored under key id/)
  })

  test('rotation without the old key stops with a message, and changes nothing', async () => {
    const before = await sealedUnder()
    const third = randomBytes(32).toString('base64')
    const result = await runCli(['secrets', 'rotate-key'], { DATABASE_URL: h.database.url, LLMS_ENCRYPTION_KEY: third })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/not configured/)
    expect(await sealedUnder()).toEqual(before)
  })

  test('a secret replaced through the API under a newer key is recorded as under that key', async () => {
    const third = randomBytes(32)
    const later = new Harness(h.database, new SecretBox(third, [newKey]))
    await later.start()
    try {
      const id = [...secrets.keys()][1] as string
      expect((await later.put(`/v1/llms/${id}`, t.key, { secret: 'sk-after-rotation' })).status).toBe(200)
      const under = await sealedUnder()
      expect(under.get(id)).toBe(new SecretBox(third).keyId)
      expect([...under.values()].filter((k) => k === new SecretBox(newKey).keyId)).toHaveLength(secrets.size - 1)
    } finally {
      await later.stop()
    }
  })
})
