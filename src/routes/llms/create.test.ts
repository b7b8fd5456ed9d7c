import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, validLlm, type Harness } from '../../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

describe('POST /v1/llms', () => {
  test('answers 201 with the LLM, a Location header and an ETag; secret is write-only', async () => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, validLlm({ secret: 'sk-create-123', metadata: { team: 'a' } }))
    expect(reply.status).toBe(201)
    expect(reply.headers.get('location')).toBe(`/v1/llms/${reply.body.id}`)
    expect(reply.headers.get('etag')).toBe('"1"')
    expect(reply.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      displayName: 'Test GPT',
      description: 'A test configuration',
      llmFormat: 'openai',
      urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
      modelName: 'gpt-4o',
      temperature: 0.7,
      maxTokens: 1024,
      deploymentName: null,
      apiVersion: null,
      metadata: { team: 'a' },
      displayTags: [],
      isDefault: false,
      isGlobal: false,
      isZdr: false,
      reasoningEffort: 'default',
      reasoningFormat: 'parsed',
      createdByOrganizationId: t.organizationId,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: null,
      hasSecret: true,
      secretUpdatedAt: reply.body.createdAt,
    })
    expect(reply.text).not.toContain('sk-create-123')
    const located = await h.get(reply.headers.get('location') ?? '', t.key)
    expect(located.body).toEqual(reply.body)
  })

  test.each([['urls'], ['modelName'], ['secret']])(
    'a format that calls an upstream without %s answers 400 naming it',
    async (field) => {
      const t = await h.tenant()
      const reply = await h.post('/v1/llms', t.key, validLlm({ [field]: undefined }))
      expect(reply.status).toBe(400)
      expect(reply.body.details.map((d: any) => d.field)).toEqual([field])
      expect((await h.get('/v1/llms?includeDefaults=false', t.key)).body.meta.total).toBe(0)
    },
  )

  test.each([['none'], ['advanced_voice']])('llmFormat %s needs only displayName and llmFormat', async (format) => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, { displayName: 'Client side', llmFormat: format })
    expect(reply.status, reply.text).toBe(201)
    expect(reply.body).toMatchObject({ urls: [], modelName: null, hasSecret: false, secretUpdatedAt: null, metadata: {} })
  })

  test.each([['displayName'], ['llmFormat']])('a body without %s answers 400 "is required"', async (field) => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, validLlm({ [field]: undefined }))
    expect(reply.status).toBe(400)
    expect(reply.body.details).toEqual([{ field, message: 'is required' }])
  })

  test('read-only fields are ignored: a client cannot create a default or global LLM, nor pick the id', async () => {
    const t = await h.tenant()
    const reply = await h.post(
      '/v1/llms',
      t.key,
      validLlm({ id: 'mine', isDefault: true, isGlobal: true, isZdr: true, displayTags: ['x'], createdByOrganizationId: null }),
    )
    expect(reply.status).toBe(201)
    expect(reply.body).toMatchObject({ isDefault: false, isGlobal: false, isZdr: false, displayTags: [] })
    expect(reply.body.id).not.toBe('mine')
    expect(reply.body.createdByOrganizationId).toBe(t.organizationId)
  })

  test('an id chosen in upper case is kept in lower case, and the LLM is found by its id in any case', async () => {
    const t = await h.tenant()
    const id = randomUUID()
    const upper = id.toUpperCase()
    const created = await h.post(`/v1/llms?id=${upper}`, t.key, validLlm())
    expect([created.status, created.body.id, created.headers.get('location')]).toEqual([201, id, `/v1/llms/${id}`])
    const mixed = `${upper.slice(0, 18)}${id.slice(18)}`
    for (const path of [upper, mixed]) expect((await h.get(`/v1/llms/${path}`, t.key)).body.id).toBe(id)
    const updated = await h.put(`/v1/llms/${upper}`, t.key, { temperature: 0.4 })
    expect([updated.status, updated.body.id, (await h.stored(id))?.temperature]).toEqual([200, id, 0.4])
    expect((await h.get(`/v1/llms/${upper}/versions`, t.key)).body.data.map((v: { version: number }) => v.version)).toEqual([2, 1])
    expect((await h.post(`/v1/llms?id=${id}`, t.key, validLlm())).status).toBe(409)
    // Ids that are not UUIDs (the built-in defaults') are matched exactly.
    expect((await h.get('/v1/llms/customer_client_v1', t.key)).status).toBe(404)
    expect((await h.get('/v1/llms/CUSTOMER_CLIENT_V1', t.key)).status).toBe(200)
    expect((await h.request('DELETE', `/v1/llms/${mixed}`, { key: t.key })).status).toBe(204)
    expect(await h.stored(id)).toBeUndefined()
  })

  test('url (the update-only shorthand) and unknown fields are refused on create', async () => {
    const t = await h.tenant()
    const reply = await h.post('/v1/llms', t.key, validLlm({ url: 'https://a.example.com', colour: 'red' }))
    expect(reply.status).toBe(400)
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual(['colour', 'url'])
  })

  test('the same value rules as the update apply, and nothing is created when they fail', async () => {
    const t = await h.tenant()
    const reply = await h.post(
      '/v1/llms',
      t.key,
      validLlm({ temperature: 2.5, urls: [{ url: 'https://u:p@example.com' }], metadata: [] }),
    )
    expect(reply.status).toBe(400)
    expect(reply.body.details.map((d: any) => d.field).sort()).toEqual(['metadata', 'temperature', 'urls[0].url'])
    expect((await h.get('/v1/llms?includeDefaults=false', t.key)).body.meta.total).toBe(0)
  })
})
