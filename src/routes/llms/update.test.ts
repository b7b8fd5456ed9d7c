import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { LlmSettings } from '../../domain/llm.js'
import { startHarness, stopHarness, type Harness, type Tenant } from '../../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

async function fixture(overrides: Record<string, unknown> = {}): Promise<{ t: Tenant; llm: any }> {
  const t = await h.tenant()
  const llm = await h.createLlm(t.key, overrides)
  return { t, llm }
}

/** Sends a PUT that must be rejected with `status`, and proves nothing stored changed. */
async function expectRejectedUnchanged(
  t: Tenant,
  id: string,
  body: unknown,
  status = 400,
  headers?: Record<string, string>,
) {
  const before = await h.stored(id)
  const reply = await h.put(`/v1/llms/${id}`, t.key, body, headers)
  expect(reply.status, reply.text).toBe(status)
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
  expect(await h.stored(id)).toEqual(before)
  return reply
}

/**
 * A new value for every setting, total by type: a setting added to the domain without a value
 * here does not compile, so the test below always covers every settable field.
 */
const NEW_VALUES: Record<keyof LlmSettings, unknown> = {
  displayName: 'Renamed',
  description: 'A new description',
  llmFormat: 'azure_openai',
  urls: [{ url: 'https://example.openai.azure.com/openai/deployments/d/chat/completions', region: 'eu' }],
  modelName: 'gpt-4o-mini',
  temperature: 1.25,
  maxTokens: 77,
  deploymentName: 'd',
  apiVersion: '2024-10-21',
  metadata: { team: 'voice', nested: { n: 1 } },
  reasoningEffort: 'low',
  reasoningFormat: 'raw',
}

describe('PUT /v1/llms/{id}: the partial update', () => {
  test.each(Object.entries(NEW_VALUES))('every settable field is saved: PUT {%s} alone, read back through GET', async (field, value) => {
    const { t, llm } = await fixture()
    expect(llm[field]).not.toEqual(value)
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { [field]: value })
    expect(reply.status, reply.text).toBe(200)
    expect(reply.body[field]).toEqual(value)
    const read = await h.get(`/v1/llms/${llm.id}`, t.key)
    expect(read.body).toEqual({ ...llm, [field]: value, updatedAt: reply.body.updatedAt })
    const history = await h.get(`/v1/llms/${llm.id}/history`, t.key)
    expect(history.body.data[0]).toMatchObject({ action: 'update', fields: [field] })
  })

  test('the secret is settable too: PUT {secret} alone sets hasSecret and secretUpdatedAt, and is audited', async () => {
    const { t, llm } = await fixture({ secret: undefined, llmFormat: 'none', urls: [], modelName: null })
    expect(llm.hasSecret).toBe(false)
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { secret: 'sk-new-0001' })
    expect(reply.body).toMatchObject({ hasSecret: true, secretUpdatedAt: reply.body.updatedAt })
    expect(h.box.open((await h.stored(llm.id))?.sealedSecret ?? '', llm.id)).toBe('sk-new-0001')
    const history = await h.get(`/v1/llms/${llm.id}/history`, t.key)
    expect(history.body.data[0]).toMatchObject({ action: 'update', fields: ['secret'] })
  })

  test("the seed's own example {temperature: 0.5} answers 200 with the whole record (decision 1)", async () => {
    const { t, llm } = await fixture()
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.5 })
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({ ...llm, temperature: 0.5, updatedAt: reply.body.updatedAt })
    expect(Date.parse(reply.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(llm.createdAt))
  })

  test('absent fields keep their stored values; maxTokens, deploymentName, apiVersion, modelName are accepted', async () => {
    const { t, llm } = await fixture({ metadata: { a: 1 } })
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, {
      maxTokens: 2048,
      deploymentName: 'prod-gpt4o',
      apiVersion: '2024-06-01',
      modelName: 'gpt-4o-2024-08-06',
      reasoningEffort: 'high',
      reasoningFormat: 'hidden',
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      displayName: llm.displayName,
      description: llm.description,
      temperature: llm.temperature,
      urls: llm.urls,
      metadata: { a: 1 },
      maxTokens: 2048,
      deploymentName: 'prod-gpt4o',
      apiVersion: '2024-06-01',
      modelName: 'gpt-4o-2024-08-06',
      reasoningEffort: 'high',
      reasoningFormat: 'hidden',
    })
    expect((await h.get(`/v1/llms/${llm.id}`, t.key)).body).toEqual(reply.body)
  })

  test('null clears description, temperature, maxTokens, deploymentName and apiVersion (decision 2)', async () => {
    const { t, llm } = await fixture({ deploymentName: 'd', apiVersion: 'v' })
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, {
      description: null,
      temperature: null,
      maxTokens: null,
      deploymentName: null,
      apiVersion: null,
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      description: null,
      temperature: null,
      maxTokens: null,
      deploymentName: null,
      apiVersion: null,
    })
  })

  test.each([['displayName'], ['llmFormat'], ['urls'], ['url'], ['secret'], ['metadata'], ['reasoningEffort'], ['reasoningFormat']])(
    'null for the non-nullable field %s answers 400 naming it and changes nothing (decision 2)',
    async (field) => {
      const { t, llm } = await fixture()
      const reply = await expectRejectedUnchanged(t, llm.id, { [field]: null })
      expect(reply.body.details.map((d: any) => d.field)).toContain(field)
    },
  )

  test('modelName null on a format that calls an upstream answers 400 (the merged record is invalid)', async () => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, { modelName: null })
    expect(reply.body.details).toEqual([{ field: 'modelName', message: 'is required for llmFormat openai' }])
  })

  test('url replaces the whole list with that one endpoint, without a region (decision 3)', async () => {
    const { t, llm } = await fixture({
      urls: [
        { url: 'https://eu.example.com/v1', region: 'eu' },
        { url: 'https://us.example.com/v1', region: 'us' },
      ],
    })
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { url: 'https://one.example.com/v1' })
    expect(reply.status).toBe(200)
    expect(reply.body.urls).toEqual([{ url: 'https://one.example.com/v1' }])
  })

  test('urls replaces the whole list (decision 3)', async () => {
    const { t, llm } = await fixture()
    const urls = [{ url: 'https://eu.example.com/v1', region: 'eu' }, { url: 'https://fallback.example.com/v1' }]
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { urls })
    expect(reply.status).toBe(200)
    expect(reply.body.urls).toEqual(urls)
  })

  test('url and urls in one body answer 400 naming both (decision 3)', async () => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, {
      url: 'https://a.example.com',
      urls: [{ url: 'https://b.example.com' }],
    })
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual(['url', 'urls'])
  })

  test.each([['gemini'], ['anthropic'], ['custom'], ['groq_openai'], ['azure_openai'], ['advanced_voice'], ['none']])(
    'llmFormat %s, from the union of both enums, is accepted (decision 4)',
    async (format) => {
      const { t, llm } = await fixture()
      const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { llmFormat: format })
      expect(reply.status).toBe(200)
      expect(reply.body.llmFormat).toBe(format)
    },
  )

  test('an unknown llmFormat answers 400 listing the accepted values', async () => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, { llmFormat: 'openai_v2' })
    expect(reply.body.details[0].field).toBe('llmFormat')
    expect(reply.body.details[0].message).toContain('advanced_voice')
  })

  test('a format that calls an upstream needs a URL; none and advanced_voice need none (decision 4)', async () => {
    const { t, llm } = await fixture()
    const toNone = await h.put(`/v1/llms/${llm.id}`, t.key, { llmFormat: 'none', urls: [] })
    expect(toNone.status).toBe(200)
    expect(toNone.body.urls).toEqual([])
    const reply = await expectRejectedUnchanged(t, llm.id, { llmFormat: 'openai' })
    expect(reply.body.details).toEqual([
      { field: 'urls', message: 'at least one URL is required for llmFormat openai' },
    ])
    expect((await h.put(`/v1/llms/${llm.id}`, t.key, { llmFormat: 'openai', url: 'https://x.example.com' })).status).toBe(200)
  })

  test('switching from none to openai without any URL answers 400 (decision 8)', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, {
      llmFormat: 'none',
      urls: undefined,
      modelName: undefined,
      secret: undefined,
    })
    const reply = await expectRejectedUnchanged(t, llm.id, { llmFormat: 'openai', modelName: 'gpt-4o' })
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual(['secret', 'urls'])
  })

  test('metadata is replaced whole (decision 5)', async () => {
    const { t, llm } = await fixture({ metadata: { keep: false, nested: { a: 1 } } })
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { metadata: { only: 'this' } })
    expect(reply.status).toBe(200)
    expect(reply.body.metadata).toEqual({ only: 'this' })
  })

  test.each([
    ['an array', []],
    ['a string', 'x'],
    ['a number', 1],
  ])('metadata that is %s answers 400 (decision 5)', async (_what, value) => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, { metadata: value })
    expect(reply.body.details).toEqual([{ field: 'metadata', message: 'must be an object' }])
  })

  test('a GET result sent back whole succeeds: read-only fields are ignored (decision 6)', async () => {
    const { t, llm } = await fixture()
    const got = (await h.get(`/v1/llms/${llm.id}`, t.key)).body
    const edited = {
      ...got,
      displayName: 'Edited',
      id: 'something-else',
      isDefault: true,
      isGlobal: true,
      isZdr: true,
      displayTags: ['hacked'],
      createdByOrganizationId: 'another-org',
      createdAt: '2000-01-01T00:00:00.000Z',
      hasSecret: false,
      secretUpdatedAt: null,
    }
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, edited)
    expect(reply.status, reply.text).toBe(200)
    expect(reply.body).toEqual({ ...got, displayName: 'Edited', updatedAt: reply.body.updatedAt })
  })

  test('an unknown field such as a typo answers 400 naming it (decision 6)', async () => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, { temprature: 0.5 })
    expect(reply.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'invalid_data',
      message: 'Invalid LLM data',
      requestId: reply.headers.get('x-request-id'),
      details: [{ field: 'temprature', message: 'is not a known field' }],
    })
  })

  test('every offending field is listed, not only the first', async () => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, {
      temperature: 3,
      maxTokens: 0,
      displayName: '',
      bogus: true,
      urls: [{ url: 'ftp://x.example.com' }],
    })
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual(
      ['bogus', 'displayName', 'maxTokens', 'temperature', 'urls[0].url'].sort(),
    )
  })

  test('secret rotation replaces the credential and moves secretUpdatedAt; it is never returned (decision 7)', async () => {
    const { t, llm } = await fixture({ secret: 'sk-original-111' })
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { secret: 'sk-rotated-222' })
    expect(reply.status).toBe(200)
    expect(reply.body.hasSecret).toBe(true)
    expect(reply.body.secretUpdatedAt).not.toBe(llm.secretUpdatedAt)
    expect(reply.text).not.toContain('sk-rotated-222')
    expect(reply.body).not.toHaveProperty('secret')
    const stored = await h.stored(llm.id)
    expect(stored?.sealedSecret).toBeTruthy()
    expect(h.box.open(stored?.sealedSecret ?? '', llm.id)).toBe('sk-rotated-222')
  })

  test('an empty secret answers 400 (decision 7)', async () => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, { secret: '' })
    expect(reply.body.details).toEqual([{ field: 'secret', message: 'must NOT have fewer than 1 characters' }])
  })

  test('an empty body {} is a no-op: 200, the same record, updatedAt and ETag unchanged (decision 9)', async () => {
    const { t, llm } = await fixture()
    const first = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1.1 })
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, {})
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual(first.body)
    expect(reply.headers.get('etag')).toBe(first.headers.get('etag'))
  })

  test('a new record has updatedAt null; a change sets it and createdAt never changes (decision 9)', async () => {
    const { t, llm } = await fixture()
    expect(llm.updatedAt).toBeNull()
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { displayName: 'Renamed' })
    expect(reply.body.createdAt).toBe(llm.createdAt)
    expect(reply.body.updatedAt).not.toBeNull()
  })

  test('values equal to the stored ones are not a change: updatedAt stays null', async () => {
    const { t, llm } = await fixture()
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: llm.temperature, urls: llm.urls })
    expect(reply.status).toBe(200)
    expect(reply.body.updatedAt).toBeNull()
  })

  test('displayName is trimmed; a blank one answers 400', async () => {
    const { t, llm } = await fixture()
    expect((await h.put(`/v1/llms/${llm.id}`, t.key, { displayName: '  Padded  ' })).body.displayName).toBe('Padded')
    const reply = await expectRejectedUnchanged(t, llm.id, { displayName: '   ' })
    expect(reply.body.details).toEqual([{ field: 'displayName', message: 'must not be blank' }])
  })
})

describe('PUT /v1/llms/{id}: concurrency and preconditions (decision 10)', () => {
  test('50 concurrent PUTs changing different fields all survive', async () => {
    const { t, llm } = await fixture({ metadata: {} })
    const edits: Record<string, unknown>[] = []
    for (let i = 0; i < 50; i++) {
      const kind = i % 5
      if (kind === 0) edits.push({ temperature: i / 25 })
      if (kind === 1) edits.push({ maxTokens: 100 + i })
      if (kind === 2) edits.push({ description: `description ${i}` })
      if (kind === 3) edits.push({ deploymentName: `deployment-${i}` })
      if (kind === 4) edits.push({ apiVersion: `version-${i}` })
    }
    // Each field is last written by exactly one request: ten requests a field, so the final
    // value must be one of those ten, and with distinct fields no write may erase another's.
    const results = await Promise.all(edits.map((body) => h.put(`/v1/llms/${llm.id}`, t.key, body)))
    expect(results.map((r) => r.status)).toEqual(edits.map(() => 200))
    const final = (await h.get(`/v1/llms/${llm.id}`, t.key)).body
    for (const field of ['temperature', 'maxTokens', 'description', 'deploymentName', 'apiVersion']) {
      const written = edits.filter((e) => field in e).map((e) => e[field])
      expect(written).toContain(final[field])
    }
    // Every value is distinct, so each of the 50 is a change and moves the version once.
    expect(results.map((r) => r.headers.get('etag')).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `"${i + 2}"`).sort(),
    )
    expect((await h.stored(llm.id))?.version).toBe(51)
  })

  test('two concurrent PUTs on different fields: both values are present afterwards', async () => {
    for (let round = 0; round < 10; round++) {
      const { t, llm } = await fixture()
      await Promise.all([
        h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 1.9 }),
        h.put(`/v1/llms/${llm.id}`, t.key, { displayName: `Round ${round}` }),
      ])
      const final = (await h.get(`/v1/llms/${llm.id}`, t.key)).body
      expect([final.temperature, final.displayName]).toEqual([1.9, `Round ${round}`])
    }
  })

  test('every LLM response carries an ETag, and it changes with each change', async () => {
    const { t, llm } = await fixture()
    const got = await h.get(`/v1/llms/${llm.id}`, t.key)
    const put = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.1 })
    expect(got.headers.get('etag')).toMatch(/^"\d+"$/)
    expect(put.headers.get('etag')).toMatch(/^"\d+"$/)
    expect(put.headers.get('etag')).not.toBe(got.headers.get('etag'))
  })

  test('If-Match with the current ETag succeeds; a stale one answers 412 and changes nothing', async () => {
    const { t, llm } = await fixture()
    const etag = (await h.get(`/v1/llms/${llm.id}`, t.key)).headers.get('etag') ?? ''
    const ok = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.2 }, { 'if-match': etag })
    expect(ok.status).toBe(200)
    const reply = await expectRejectedUnchanged(t, llm.id, { temperature: 0.3 }, 412, { 'if-match': etag })
    expect(reply.body).toMatchObject({ statusCode: 412, code: 'precondition_failed' })
    expect(reply.body.message).toMatch(/If-Match/)
  })

  test('If-Match * matches any existing record; a list with the current tag matches', async () => {
    const { t, llm } = await fixture()
    expect((await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.4 }, { 'if-match': '*' })).status).toBe(200)
    const etag = (await h.get(`/v1/llms/${llm.id}`, t.key)).headers.get('etag') ?? ''
    const listed = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.5 }, { 'if-match': `"999", ${etag}` })
    expect(listed.status).toBe(200)
  })

  test('a stale If-Match on an empty body still answers 412', async () => {
    const { t, llm } = await fixture()
    await expectRejectedUnchanged(t, llm.id, {}, 412, { 'if-match': '"999"' })
  })

  test('If-None-Match on a write (RFC 9110): naming the current ETag, weak or strong, or *, answers 412 and changes nothing; another tag lets it through', async () => {
    const { t, llm } = await fixture()
    const etag = (await h.get(`/v1/llms/${llm.id}`, t.key)).headers.get('etag') ?? ''
    for (const [header, message] of [
      [etag, 'The LLM is at a version If-None-Match names'],
      [`"999", W/${etag}`, 'The LLM is at a version If-None-Match names'],
      ['*', 'The LLM exists, and If-None-Match: * asks that it not'],
    ]) {
      const reply = await expectRejectedUnchanged(t, llm.id, { temperature: 0.3 }, 412, { 'if-none-match': header as string })
      expect(reply.body).toMatchObject({ code: 'precondition_failed', message })
    }
    // Both preconditions must hold: If-Match passes, If-None-Match does not.
    await expectRejectedUnchanged(t, llm.id, { temperature: 0.3 }, 412, { 'if-match': etag, 'if-none-match': etag })
    const ok = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.3 }, { 'if-match': etag, 'if-none-match': '"999"' })
    expect([ok.status, ok.body.temperature]).toEqual([200, 0.3])

    const next = ok.headers.get('etag') ?? ''
    const restore = await h.request('POST', `/v1/llms/${llm.id}/restore`, { key: t.key, body: { version: 1 }, headers: { 'if-none-match': next } })
    expect([restore.status, restore.body.code]).toEqual([412, 'precondition_failed'])
    const kept = await h.request('DELETE', `/v1/llms/${llm.id}`, { key: t.key, headers: { 'if-none-match': '*' } })
    expect([kept.status, kept.body.code]).toEqual([412, 'precondition_failed'])
    expect((await h.stored(llm.id))?.temperature).toBe(0.3)
    expect((await h.request('DELETE', `/v1/llms/${llm.id}`, { key: t.key, headers: { 'if-none-match': etag } })).status).toBe(204)
    expect(await h.stored(llm.id)).toBeUndefined()
  })

  test('a precondition that names no ETag (unquoted, empty, W/ without quotes, * among tags) is a 400 saying how to write one, on every write, and changes nothing', async () => {
    const { t, llm } = await fixture()
    const version = (await h.get(`/v1/llms/${llm.id}`, t.key)).headers.get('etag')?.replaceAll('"', '') ?? ''
    const wrong = (name: string) => `${name} must be * or ETags in quotes, as the ETag header gives them (for example "3")`
    const empty = (name: string) => `${name} is empty: give * or an ETag in quotes, as the ETag header gives it (for example "3")`
    for (const name of ['If-Match', 'If-None-Match']) {
      for (const [value, message] of [
        [version, wrong(name)],
        [`W/${version}`, wrong(name)],
        [`"${version}`, wrong(name)],
        [`*, "${version}"`, wrong(name)],
        ['', empty(name)],
        [' , ', empty(name)],
      ]) {
        const headers = { [name.toLowerCase()]: value as string }
        const put = await expectRejectedUnchanged(t, llm.id, { temperature: 0.3 }, 400, headers)
        expect([name, value, put.body.code, put.body.message]).toEqual([name, value, 'bad_request', message])
        const restore = await h.request('POST', `/v1/llms/${llm.id}/restore`, { key: t.key, body: { version: 1 }, headers })
        expect([name, value, restore.status]).toEqual([name, value, 400])
        const remove = await h.request('DELETE', `/v1/llms/${llm.id}`, { key: t.key, headers })
        expect([name, value, remove.status]).toEqual([name, value, 400])
      }
    }
    expect(await h.stored(llm.id)).toBeDefined()
  })
})

describe('PUT /v1/llms/{id}: validation of values (section 5), each rejection leaves the record as it was', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a relative URL', { url: '/v1/chat' }, 'url'],
    ['an ftp URL', { url: 'ftp://example.com/x' }, 'url'],
    ['a javascript: URL', { url: 'javascript:alert(1)' }, 'url'],
    ['a URL with credentials', { url: 'https://user:pass@example.com/v1' }, 'url'],
    ['a URL with surrounding blanks', { url: ' https://example.com/v1' }, 'url'],
    ['a URL over 2,048 characters', { url: `https://example.com/${'a'.repeat(2048)}` }, 'url'],
    ['11 URLs', { urls: Array.from({ length: 11 }, (_, i) => ({ url: `https://e${i}.example.com` })) }, 'urls'],
    ['a duplicate (url, region) pair', { urls: [{ url: 'https://a.example.com', region: 'eu' }, { url: 'https://a.example.com', region: 'eu' }] }, 'urls[1]'],
    ['the same URL written another way', { urls: [{ url: 'https://a.example.com/v1/chat' }, { url: 'HTTPS://A.Example.COM:443/v1/./chat' }] }, 'urls[1]'],
    ['an empty region', { urls: [{ url: 'https://a.example.com', region: '' }] }, 'urls[0].region'],
    ['a 65-character region', { urls: [{ url: 'https://a.example.com', region: 'r'.repeat(65) }] }, 'urls[0].region'],
    ['an unknown field inside a URL entry', { urls: [{ url: 'https://a.example.com', weight: 1 }] }, 'urls[0].weight'],
    ['a 256-character displayName', { displayName: 'n'.repeat(256) }, 'displayName'],
    ['a displayName with an escape sequence', { displayName: 'red \u001b[31mname' }, 'displayName'],
    ['a displayName with a line break', { displayName: 'one\r\ntwo' }, 'displayName'],
    ['a modelName with a tab', { modelName: 'gpt\t4o' }, 'modelName'],
    ['a region with a C1 control', { urls: [{ url: 'https://a.example.com', region: 'eu\u0085' }] }, 'urls[0].region'],
    ['a secret with the line break copied with it', { secret: 'sk-abc\n' }, 'secret'],
    ['an apiVersion with DEL', { apiVersion: '2024\u007f' }, 'apiVersion'],
    ['a deploymentName with a bell', { deploymentName: 'dep\u0007' }, 'deploymentName'],
    ['a description with an escape sequence', { description: 'fine\nlines, then \u001b]0;title\u0007' }, 'description'],
    ['a 2,001-character description', { description: 'd'.repeat(2001) }, 'description'],
    ['an empty modelName', { modelName: '' }, 'modelName'],
    ['a 256-character modelName', { modelName: 'm'.repeat(256) }, 'modelName'],
    ['an 8,193-character secret', { secret: 's'.repeat(8193) }, 'secret'],
    ['a 256-character deploymentName', { deploymentName: 'x'.repeat(256) }, 'deploymentName'],
    ['a 256-character apiVersion', { apiVersion: 'x'.repeat(256) }, 'apiVersion'],
    ['temperature above 2', { temperature: 2.01 }, 'temperature'],
    ['temperature below 0', { temperature: -0.1 }, 'temperature'],
    ['temperature as a string "0.5"', { temperature: '0.5' }, 'temperature'],
    ['maxTokens 0', { maxTokens: 0 }, 'maxTokens'],
    ['maxTokens over 1,000,000', { maxTokens: 1_000_001 }, 'maxTokens'],
    ['maxTokens 1.5', { maxTokens: 1.5 }, 'maxTokens'],
    ['maxTokens as a string', { maxTokens: '100' }, 'maxTokens'],
    ['displayName as a number', { displayName: 42 }, 'displayName'],
    ['reasoningEffort "extreme"', { reasoningEffort: 'extreme' }, 'reasoningEffort'],
    ['reasoningFormat as a boolean', { reasoningFormat: true }, 'reasoningFormat'],
    ['metadata over 16 KiB', { metadata: { blob: 'x'.repeat(16 * 1024) } }, 'metadata'],
    ['metadata 11 levels deep', { metadata: nest(11) }, 'metadata'],
    ['a top-level __proto__ key', JSON.parse('{"__proto__": {"isDefault": true}}'), '__proto__'],
  ]

  test.each(cases)('%s answers 400 naming the field', async (_name, body, field) => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, body)
    expect(reply.body.message).toBe('Invalid LLM data')
    expect(reply.body.details.map((d: any) => d.field)).toContain(field)
  })

  test('control characters: refused in one-line fields and the secret (never echoed), line breaks and tabs kept in a description', async () => {
    const { t, llm } = await fixture()
    const reply = await expectRejectedUnchanged(t, llm.id, { displayName: 'a\u001b[2Jb', secret: 'sk-secret-\r\n', description: 'x\u0000y'.replace('\u0000', '\u0008') })
    expect(reply.body.details).toEqual([
      { field: 'displayName', message: 'must not contain control characters (line breaks, tabs, escape sequences)' },
      { field: 'description', message: 'must not contain control characters other than line breaks and tabs' },
      { field: 'secret', message: 'must not contain control characters (line breaks, tabs, escape sequences)' },
    ])
    expect(reply.text).not.toContain('sk-secret')
    const kept = await h.put(`/v1/llms/${llm.id}`, t.key, { description: 'line one\r\nline two\n\tindented', displayName: 'Ünïcode — ok ✓' })
    expect([kept.status, kept.body.description, kept.body.displayName]).toEqual([200, 'line one\r\nline two\n\tindented', 'Ünïcode — ok ✓'])
  })

  test('a URL list stored under an older rule (two spellings of one URL) does not refuse a change to another field; sending such a list still does', async () => {
    const { t, llm } = await fixture()
    const urls = [{ url: 'https://a.example.com/v1/chat' }, { url: 'HTTPS://A.EXAMPLE.COM:443/v1/chat' }]
    await h.requireStorage().db.updateTable('llms').set({ urls: JSON.stringify(urls) }).where('id', '=', llm.id).execute()
    const other = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.3 })
    expect([other.status, other.body.temperature, other.body.urls]).toEqual([200, 0.3, urls])
    const again = await expectRejectedUnchanged(t, llm.id, { urls: [...urls, { url: 'https://b.example.com/v1/chat' }] })
    expect(again.body.details).toEqual([{ field: 'urls[1]', message: 'duplicates an earlier (url, region) pair' }])
  })

  test('limits are inclusive: 255-character displayName, temperature 0 and 2, maxTokens 1 and 1,000,000, 10 URLs, 10 levels of metadata', async () => {
    const { t, llm } = await fixture()
    for (const body of [
      { displayName: 'n'.repeat(255) },
      { temperature: 0 },
      { temperature: 2 },
      { maxTokens: 1 },
      { maxTokens: 1_000_000 },
      { urls: Array.from({ length: 10 }, (_, i) => ({ url: `https://e${i}.example.com` })) },
      { metadata: nest(10) },
      { secret: 's'.repeat(8192) },
      { urls: [{ url: 'https://a.example.com', region: 'eu' }, { url: 'https://a.example.com', region: 'us' }] },
    ]) {
      const reply = await h.put(`/v1/llms/${llm.id}`, t.key, body)
      expect(reply.status, `${JSON.stringify(body).slice(0, 80)}: ${reply.text}`).toBe(200)
    }
  })

  test('metadata keys __proto__ and constructor are stored and returned as plain data', async () => {
    const { t, llm } = await fixture()
    const metadata = '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "nested": {"__proto__": 1}}'
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw: `{"metadata": ${metadata}}` })
    expect(reply.status, reply.text).toBe(200)
    const again = await h.get(`/v1/llms/${llm.id}`, t.key)
    expect(again.text).toContain('"__proto__":{"polluted":true}')
    expect(again.text).toContain('"constructor":{"prototype":{"x":1}}')
    expect(({} as any).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })
})

function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true }
  for (let i = 1; i < levels; i++) value = { child: value }
  return value
}

describe('PUT /v1/llms/{id}: text no backend can store', () => {
  test.each([
    ['a NUL in displayName', '{"displayName": "a\\u0000b"}', 'displayName'],
    ['a lone surrogate in description', '{"description": "x\\ud800y"}', 'description'],
    ['a NUL deep in metadata', '{"metadata": {"a": [{"b": "\\u0000"}]}}', 'metadata.a[0].b'],
    ['a lone low surrogate in a metadata key', '{"metadata": {"\\udc00": 1}}', 'metadata'],
  ])('%s answers 400 naming the field and changes nothing', async (_name, raw, field) => {
    const { t, llm } = await fixture()
    const before = await h.stored(llm.id)
    const reply = await h.request('PUT', `/v1/llms/${llm.id}`, { key: t.key, raw })
    expect(reply.status, reply.text).toBe(400)
    expect(reply.body.details.map((d: any) => d.field)).toEqual([field])
    expect(await h.stored(llm.id)).toEqual(before)
  })

  test('well-formed non-ASCII text (emoji, CJK, RTL) is stored and returned exactly', async () => {
    const { t, llm } = await fixture()
    const text = 'Ünïcödé 🙂 漢字 עברית'
    const reply = await h.put(`/v1/llms/${llm.id}`, t.key, { displayName: text, metadata: { [text]: text } })
    expect(reply.status).toBe(200)
    const again = (await h.get(`/v1/llms/${llm.id}`, t.key)).body
    expect([again.displayName, again.metadata]).toEqual([text, { [text]: text }])
  })
})
