import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness } from '../../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

describe('GET /v1/llms/{id}', () => {
  test('answers 200 with the record and its ETag; If-None-Match with that ETag answers 304', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.get(`/v1/llms/${llm.id}`, t.key)
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual(llm)
    const etag = reply.headers.get('etag') ?? ''
    const cached = await h.get(`/v1/llms/${llm.id}`, t.key, { 'if-none-match': etag })
    expect(cached.status).toBe(304)
    expect(cached.text).toBe('')
    // No body, so no Content-Length of one (it said 4, the length of "null") and no Content-Type; the ETag stays.
    expect([cached.headers.get('content-length'), cached.headers.get('content-type'), cached.headers.get('etag')]).toEqual([null, null, etag])
    const updated = await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.1 })
    expect((await h.get(`/v1/llms/${llm.id}`, t.key, { 'if-none-match': etag })).status).toBe(200)
    // The first read after a write is not served from the read cache: the same answer.
    const next = updated.headers.get('etag') ?? ''
    const afterWrite = await h.get(`/v1/llms/${llm.id}`, t.key, { 'if-none-match': next })
    expect([afterWrite.status, afterWrite.text, afterWrite.headers.get('content-length'), afterWrite.headers.get('etag')]).toEqual([304, '', null, next])
  })

  test('the seed example record is there with the documented values', async () => {
    const t = await h.tenant()
    const reply = await h.get('/v1/llms/a7cf662c-2ace-4de1-a21e-ef0fbf144bb7', t.key)
    expect(reply.body).toEqual({
      id: 'a7cf662c-2ace-4de1-a21e-ef0fbf144bb7',
      displayName: 'GPT-4o',
      description: 'OpenAI GPT-4o default configuration.',
      llmFormat: 'openai',
      urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
      modelName: 'gpt-4o',
      temperature: 0.7,
      maxTokens: 1024,
      deploymentName: null,
      apiVersion: null,
      metadata: {},
      displayTags: ['openai'],
      isDefault: true,
      isGlobal: true,
      isZdr: false,
      reasoningEffort: 'default',
      reasoningFormat: 'parsed',
      createdByOrganizationId: null,
      createdAt: '2026-04-20T10:00:00.000Z',
      updatedAt: null,
      hasSecret: false,
      secretUpdatedAt: null,
    })
  })

  test('an id over 255 characters answers 400 naming id', async () => {
    const t = await h.tenant()
    const reply = await h.get(`/v1/llms/${'x'.repeat(256)}`, t.key)
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([{ field: 'id', message: 'must NOT have more than 255 characters' }])
  })

  test('ids with URL-encoded odd characters are plain strings: 404, never an error', async () => {
    const t = await h.tenant()
    for (const id of ["'; drop table llms; --", '%', '..', 'é', '🙂']) {
      const reply = await h.get(`/v1/llms/${encodeURIComponent(id)}`, t.key)
      expect(reply.status, id).toBe(404)
    }
  })

  test('an id with a NUL character answers 400, on every backend', async () => {
    const t = await h.tenant()
    const reply = await h.get('/v1/llms/a%00b', t.key)
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([{ field: 'id', message: 'must not contain NUL characters or lone surrogates' }])
  })
})

describe('DELETE /v1/llms/{id}', () => {
  test('answers 204 with no body, and the record is gone', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    const reply = await h.delete(`/v1/llms/${llm.id}`, t.key)
    expect(reply.status).toBe(204)
    expect(reply.text).toBe('')
    expect(await h.stored(llm.id)).toBeUndefined()
    expect((await h.delete(`/v1/llms/${llm.id}`, t.key)).status).toBe(404)
  })

  test('a stale If-Match answers 412 and deletes nothing; the current one deletes', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key)
    await h.put(`/v1/llms/${llm.id}`, t.key, { temperature: 0.3 })
    const stale = await h.delete(`/v1/llms/${llm.id}`, t.key, { 'if-match': '"1"' })
    expect(stale.status).toBe(412)
    expect(await h.stored(llm.id)).toBeDefined()
    expect((await h.delete(`/v1/llms/${llm.id}`, t.key, { 'if-match': '"2"' })).status).toBe(204)
  })
})
