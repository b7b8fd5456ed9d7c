/** POST/GET /v1/llms/{id}/check against fake providers on loopback: every wire format, every problem, from real connections. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MemoryRateStore, RateLimiter } from '../../http/rate-limit.js'
import { startFakeUpstream, type FakeUpstream } from '../../testing/fake-upstream.js'
import { startHarness, stopHarness, type Harness, type Tenant } from '../../testing/harness.js'

const SECRET = 'sk-fake-provider-key-0123456789'
const UPSTREAM = { allowPrivate: true, connectTimeoutMs: 1_000, totalTimeoutMs: 1_500 }

let h: Harness
let fake: FakeUpstream
let tlsFake: FakeUpstream
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmr-tls-'))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
  const tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  rmSync(dir, { recursive: true, force: true })
  ;[h, fake, tlsFake] = await Promise.all([startHarness({ upstream: UPSTREAM }), startFakeUpstream(SECRET), startFakeUpstream(SECRET, tls)])
})
afterAll(async () => {
  await Promise.all([stopHarness(h), fake.close(), tlsFake.close()])
})

type Format = 'openai' | 'azure_openai' | 'anthropic' | 'gemini'

/** A configuration of `format` at the fake, with `model` picking the fake's behaviour. */
function configuration(format: Format, model: string, base = fake.url): Record<string, unknown> {
  const common = { displayName: `${format} ${model}`, llmFormat: format, secret: SECRET, temperature: 0.5 }
  switch (format) {
    case 'openai':
      return { ...common, modelName: model, urls: [{ url: `${base}/v1/chat/completions` }] }
    case 'azure_openai':
      return { ...common, modelName: 'gpt-4o', deploymentName: model, apiVersion: '2024-10-21', urls: [{ url: base }] }
    case 'anthropic':
      return { ...common, modelName: model, urls: [{ url: `${base}/anthropic/v1/messages` }] }
    case 'gemini':
      return { ...common, modelName: model, urls: [{ url: `${base}/v1beta` }] }
  }
}

async function check(t: Tenant, id: string, body?: unknown) {
  return body === undefined ? h.request('POST', `/v1/llms/${id}/check`, { key: t.key }) : h.post(`/v1/llms/${id}/check`, t.key, body)
}

async function checked(format: Format, model: string, body: unknown = { mode: 'completion' }, base?: string) {
  const t = await h.tenant()
  const llm = await h.createLlm(t.key, configuration(format, model, base))
  const reply = await check(t, llm.id, body)
  expect(reply.status, reply.text).toBe(200)
  return { t, llm, reply, result: reply.body.results[0] }
}

const FORMATS: Format[] = ['openai', 'azure_openai', 'anthropic', 'gemini']

describe('a passing check, per wire format', () => {
  test.each(FORMATS)('%s: completion mode streams a reply and measures time to first token', async (format) => {
    const { reply, result } = await checked(format, 'ok')
    expect(reply.body.ok).toBe(true)
    expect(result).toMatchObject({ ok: true, status: 200, reply: 'Hello there' })
    expect(result.timeToFirstTokenMs).toBeGreaterThanOrEqual(0)
    expect(result.latencyMs).toBeGreaterThanOrEqual(result.timeToFirstTokenMs)
    expect(result.problem).toBeUndefined()
    const sent = fake.seen[fake.seen.length - 1]
    expect(sent?.method).toBe('POST')
    expect(JSON.stringify(result.request)).not.toContain(SECRET)
    expect(result.request.curl).toMatch(/^curl -X POST '/)
  })

  test.each(FORMATS)('%s: model mode asks about the model where the format can (Azure completes instead)', async (format) => {
    const { result } = await checked(format, 'ok', {})
    expect(result.ok).toBe(true)
    expect(result.request.method).toBe(format === 'azure_openai' ? 'POST' : 'GET')
    // Azure has no data-plane call that describes a deployment: its check completes (a reply) instead.
    if (format === 'azure_openai') expect(result.reply).toBe('Hello there')
    else expect(result.reply).toBeUndefined()
  })

  test('a reasoning model that spends its few tokens thinking and answers nothing is ok, with an empty reply', async () => {
    const { result } = await checked('openai', 'think')
    expect(result).toMatchObject({ ok: true, reply: '' })
  })
})

describe('every problem, from a real connection', () => {
  test.each([
    ['openai', 'bad-key', 'unauthorized', 401],
    ['anthropic', 'bad-key', 'unauthorized', 401],
    ['gemini', 'forbidden', 'forbidden', 403],
    ['openai', 'missing', 'model_not_found', 404],
    ['anthropic', 'missing', 'model_not_found', 404],
    ['gemini', 'missing', 'model_not_found', 404],
    ['openai', 'busy', 'rate_limited', 429],
    ['openai', 'broke', 'quota_exceeded', 429],
    ['gemini', 'broke', 'quota_exceeded', 429],
    ['anthropic', 'overloaded', 'overloaded', 529],
    ['azure_openai', 'overloaded', 'overloaded', 503],
    ['openai', 'bad', 'bad_request', 400],
    ['anthropic', 'bad', 'bad_request', 400],
    ['gemini', 'boom', 'upstream_error', 500],
    ['openai', 'redirect', 'upstream_error', 302],
  ] as const)('%s %s → %s (HTTP %i), with the provider\'s own message and no secret', async (format, model, problem, status) => {
    const { reply, result, llm, t } = await checked(format, model)
    expect(reply.body.ok).toBe(false)
    expect(result).toMatchObject({ ok: false, status, problem })
    expect(typeof result.detail).toBe('string')
    expect(reply.text).not.toContain(SECRET)
    if (model === 'busy') expect(result.retryAfterSeconds).toBe(7)
    if (model === 'redirect') expect(result.detail).toContain('redirects are not followed')
    if (model === 'bad') expect(result.detail).toContain("'temperature' does not support")
    // A failed check changes nothing else about the record.
    expect((await h.get(`/v1/llms/${llm.id}`, t.key)).body).toEqual(llm)
  })

  test.each([
    ['openai', 'rate_limited'],
    ['anthropic', 'overloaded'],
    ['gemini', 'overloaded'],
  ] as const)('%s: an error inside the stream after a 200 is a failure: %s', async (format, problem) => {
    const { result } = await checked(format, 'stream-error')
    expect(result).toMatchObject({ ok: false, status: 200, problem })
  })

  test('unreachable: nothing listens on the port', async () => {
    const closed = await startFakeUpstream(SECRET)
    await closed.close()
    const { result } = await checked('openai', 'ok', { mode: 'completion' }, closed.url)
    expect(result).toMatchObject({ ok: false, status: null, problem: 'unreachable' })
  })

  test('tls: a self-signed certificate is refused', async () => {
    const { result } = await checked('openai', 'ok', { mode: 'completion' }, tlsFake.url)
    expect(result).toMatchObject({ ok: false, status: null, problem: 'tls' })
    expect(result.detail).toMatch(/self[- ]signed/i)
  })

  test('timeout: connected, but no answer before the limit', async () => {
    const { result } = await checked('openai', 'stall')
    expect(result).toMatchObject({ ok: false, status: null, problem: 'timeout', detail: 'connected, but no answer came in time' })
  })

  test('timeout: a stream that stalls mid-way', async () => {
    const { result } = await checked('anthropic', 'stall-stream')
    expect(result).toMatchObject({ ok: false, status: 200, problem: 'timeout' })
  })

  test('a stream cut mid-way is a failure, not a reply', async () => {
    const { result } = await checked('openai', 'cut')
    expect(result).toMatchObject({ ok: false, status: 200, problem: 'upstream_error' })
  })

  test('no_upstream: formats without one say so plainly', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { llmFormat: 'none', urls: [], modelName: null, secret: undefined })
    const reply = await check(t, llm.id)
    expect(reply.body).toMatchObject({ ok: false, results: [{ ok: false, problem: 'no_upstream', url: null }] })
    expect(reply.body.results[0].detail).toContain('has no upstream')
  })

  test('blocked_address: without ALLOW_PRIVATE_UPSTREAMS, loopback is refused and no connection is made', async () => {
    const strict = await startHarness({ upstream: { ...UPSTREAM, allowPrivate: false } })
    try {
      const t = await strict.tenant()
      const before = fake.connections()
      for (const base of [fake.url, fake.url.replace('http:', 'https:'), fake.url.replace('127.0.0.1', 'localhost').replace('http:', 'https:')]) {
        const llm = await strict.createLlm(t.key, configuration('openai', 'ok', base))
        const result = (await strict.post(`/v1/llms/${llm.id}/check`, t.key, { mode: 'completion' })).body.results[0]
        expect([base, result.problem]).toEqual([base, 'blocked_address'])
      }
      expect(fake.connections()).toBe(before)
    } finally {
      await stopHarness(strict)
    }
  })
})

describe('what is checked, and by whom', () => {
  test('region picks the URL; all: true checks every URL concurrently', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, {
      ...configuration('openai', 'ok'),
      urls: [{ url: `${fake.url}/v1/chat/completions` }, { url: `${fake.url}/eu/v1/chat/completions`, region: 'eu' }],
    })
    expect((await check(t, llm.id, { region: 'eu' })).body.results.map((r: any) => r.region)).toEqual(['eu'])
    expect((await check(t, llm.id, { region: 'us' })).body.results.map((r: any) => r.region)).toEqual([null])
    const all = (await check(t, llm.id, { all: true, mode: 'completion' })).body
    expect(all.results.map((r: any) => [r.region, r.ok])).toEqual([[null, true], ['eu', true]])
  })

  test('GET /check is 404 before the first check, then the last result; no check result holds the secret', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, configuration('anthropic', 'ok'))
    const none = await h.get(`/v1/llms/${llm.id}/check`, t.key)
    expect([none.status, none.body.message]).toEqual([404, 'This LLM has not been checked yet'])
    const done = await check(t, llm.id, { mode: 'completion', prompt: 'Say hi' })
    const last = await h.get(`/v1/llms/${llm.id}/check`, t.key)
    expect(last.body).toEqual(done.body)
    expect(JSON.parse(fake.seen[fake.seen.length - 1]?.body ?? '{}').messages).toEqual([{ role: 'user', content: 'Say hi' }])
    const rows = await h.requireStorage().db.selectFrom('llm_checks').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(SECRET)
    for (const line of h.logs) expect(line).not.toContain(SECRET)
    expect((await h.get(`/v1/llms/${llm.id}/check`, t.readKey)).status).toBe(200)
  })

  test('no credential is a 409; a default is 403; another organization\'s LLM is 404; a read-only key is 403', async () => {
    const t = await h.tenant()
    const bare = await h.createLlm(t.key, { llmFormat: 'none', urls: [], modelName: null, secret: undefined })
    await h.requireStorage().db.updateTable('llms').set({ llm_format: 'openai', model_name: 'gpt-4o', urls: JSON.stringify([{ url: `${fake.url}/v1/chat/completions` }]) }).where('id', '=', bare.id).execute()
    const refused = await check(t, bare.id)
    expect([refused.status, refused.body.code, refused.body.message]).toEqual([409, 'no_credential', 'this LLM has no credential to check with'])
    const preset = await check(t, 'a7cf662c-2ace-4de1-a21e-ef0fbf144bb7')
    expect([preset.status, preset.body.code]).toEqual([403, 'default_llm_readonly'])
    const mine = await h.createLlm(t.key, configuration('openai', 'ok'))
    const other = await h.tenant()
    expect((await check(other, mine.id)).status).toBe(404)
    expect((await h.get(`/v1/llms/${mine.id}/check`, other.key)).status).toBe(404)
    expect((await h.request('POST', `/v1/llms/${mine.id}/check`, { key: t.readKey })).status).toBe(403)
  })

  test('a bad check body is a 400 naming the field', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, configuration('openai', 'ok'))
    const reply = await check(t, llm.id, { mode: 'fast', prompt: 'x'.repeat(2001), extra: 1 })
    expect(reply.status).toBe(400)
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual(['extra', 'mode', 'prompt'])
    // A blank prompt would be sent to the provider as it is.
    const blank = await check(t, llm.id, { mode: 'completion', prompt: ' \n\t ' })
    expect([blank.status, blank.body.details]).toEqual([400, [{ field: 'prompt', message: 'must not be blank' }]])
  })

  test('CHECKS_PER_MINUTE limits checks per key on top of the request limit', async () => {
    const limited = await startHarness({
      upstream: UPSTREAM,
      rateLimiter: new RateLimiter(new MemoryRateStore(), { perKeyPerMinute: 0, authFailuresPerMinute: 0, checksPerMinute: 2 }),
    })
    try {
      const t = await limited.tenant()
      const llm = await limited.createLlm(t.key, configuration('openai', 'ok'))
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await limited.request('POST', `/v1/llms/${llm.id}/check`, { key: t.key })).status)
      expect(statuses).toEqual([200, 200, 429])
      const refused = await limited.request('POST', `/v1/llms/${llm.id}/check`, { key: t.key })
      expect(refused.body).toMatchObject({ code: 'rate_limited', message: 'Check limit exceeded: at most 2 upstream checks a minute for this API key' })
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      expect((await limited.get(`/v1/llms/${llm.id}`, t.key)).status).toBe(200)
    } finally {
      await stopHarness(limited)
    }
  })
})
