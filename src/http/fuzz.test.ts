/**
 * Property-based: arbitrary bodies, query strings and path ids on every route. Whatever arrives,
 * the answer is never a 5xx nor a dropped connection, an error is always JSON with a message, and
 * a rejected request leaves every stored record exactly as it was. A failure prints its seed;
 * replay it with FC_SEED=<seed>.
 */
import fc from 'fast-check'
import { ERROR_CODES } from '../domain/errors.js'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness, type Reply, type Tenant } from '../testing/harness.js'

let h: Harness
let t: Tenant
let other: Tenant
let id: string
let othersId: string

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
const runs = (n: number) => ({ numRuns: n, ...(seed !== undefined && { seed }) })

beforeAll(async () => {
  h = await startHarness()
  t = await h.tenant()
  other = await h.tenant()
  id = (await h.createLlm(t.key, { metadata: { keep: true } })).id
  othersId = (await h.createLlm(other.key)).id
})
afterAll(() => stopHarness(h))

/** Every stored LLM, as stored (sealed secret and version included), to compare before and after. */
async function snapshot(): Promise<string> {
  const rows = await h.requireStorage().db.selectFrom('llms').selectAll().orderBy('id').execute()
  return JSON.stringify(rows)
}

function expectWellFormed(reply: Reply): void {
  expect(reply.status, reply.text).toBeLessThan(500)
  if (reply.status >= 400) {
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
    expect(typeof reply.body?.message).toBe('string')
    expect(reply.body.statusCode).toBe(reply.status)
    // The contract's shape, whatever refused it (a route, validation, the body parser or the router).
    expect(ERROR_CODES, reply.text).toContain(reply.body.code)
    expect(reply.body.requestId).toBe(reply.headers.get('x-request-id'))
  }
}

// ---------------------------------------------------------------- arbitraries

const FIELDS = [
  'displayName', 'description', 'url', 'urls', 'llmFormat', 'modelName', 'secret', 'metadata', 'temperature',
  'maxTokens', 'deploymentName', 'apiVersion', 'reasoningEffort', 'reasoningFormat', 'id', 'isDefault', 'isGlobal',
  'createdAt', '__proto__', 'constructor', 'prototype',
]

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates, NUL and every other code unit
  fc.constantFrom('', ' ', 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(2001), 'x'.repeat(8193), 'x'.repeat(70_000)),
)

const boundaryNumber = fc.oneof(
  fc.constantFrom(0, 2, 2.0000001, -0.0000001, 1, 1_000_000, 1_000_001, 1.5, -1, 1e308, Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
)

const url = fc.oneof(
  fc.webUrl(),
  fc.constantFrom('https://a.example.com', 'ftp://x', 'https://u:p@x.example', '/rel', 'javascript:alert(1)', `https://x/${'a'.repeat(2100)}`),
  text,
)

const deep = (depth: number): unknown => (depth === 0 ? 'leaf' : { [`k${depth}`]: deep(depth - 1), __proto__x: [depth] })

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  text,
  boundaryNumber,
  fc.constantFrom(null, true, false, [], {}, deep(9), deep(11), deep(40)),
  fc.array(fc.record({ url, region: fc.option(text, { nil: undefined }) }, { requiredKeys: [] }), { maxLength: 12 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', 'b'), fc.jsonValue({ maxDepth: 2 })),
)

/** A JSON object text with the given entries, written by hand so `__proto__` stays a plain key. */
const objectText = (entries: [string, unknown][]) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`

const body = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(fc.constantFrom(...FIELDS), anyValue), { maxLength: 6 }).map(objectText) },
  { weight: 1, arbitrary: fc.array(fc.tuple(fc.string({ maxLength: 12 }), anyValue), { maxLength: 4 }).map(objectText) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }, // mostly not JSON at all
)

/** Arbitrary bytes, percent-encoded: invalid UTF-8, NUL, separators and all. */
const encodedBytes = fc
  .uint8Array({ maxLength: 24 })
  .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''))

const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '100', '101', '1.5', '1e3', 'true', 'false', '', '%', '_', '%25', '9999999999999'),
  encodedBytes,
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
)

const query = fc
  .array(fc.tuple(fc.constantFrom('page', 'perPage', 'search', 'includeDefaults', 'other'), queryValue), { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'))

const pathId = fc.oneof(encodedBytes, fc.string({ maxLength: 300 }).map(encodeURIComponent), fc.constantFrom('..', '.', '%2F', 'a%2Fb'))

// ---------------------------------------------------------------- properties

describe('arbitrary input never breaks the service', () => {
  test('PUT /v1/llms/{id} with arbitrary bodies: never 5xx, errors are JSON, a rejection changes nothing (200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('own', 'other', 'default'), async (raw, target) => {
        const llmId = target === 'own' ? id : target === 'other' ? othersId : 'a7cf662c-2ace-4de1-a21e-ef0fbf144bb7'
        const before = await snapshot()
        const reply = await h.request('PUT', `/v1/llms/${llmId}`, { key: t.key, raw })
        expectWellFormed(reply)
        if (reply.status !== 200) expect(await snapshot()).toBe(before)
        if (target !== 'own') expect(reply.status).not.toBe(200)
      }),
      runs(200),
    )
  })

  test('POST /v1/llms with arbitrary bodies: never 5xx, errors are JSON, a rejection stores nothing (150 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const before = await snapshot()
        const reply = await h.request('POST', '/v1/llms', { key: t.key, raw })
        expectWellFormed(reply)
        if (reply.status !== 201) expect(await snapshot()).toBe(before)
      }),
      runs(150),
    )
  })

  test('GET /v1/llms with arbitrary query strings: 200 or a JSON 400, never 5xx (150 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const reply = await h.get(`/v1/llms?${q}`, t.key)
        expectWellFormed(reply)
        expect([200, 400]).toContain(reply.status)
        if (reply.status === 200) {
          expect(reply.body.data.every((l: any) => l.isGlobal || l.createdByOrganizationId === t.organizationId)).toBe(true)
        }
      }),
      runs(150),
    )
  })

  test('arbitrary path ids on GET, PUT and DELETE: 400 or 404 (an empty id is the collection: GET lists, others 405), never 5xx, nothing changes (150 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(pathId, fc.constantFrom('GET', 'PUT', 'DELETE'), async (encoded, method) => {
        const before = await snapshot()
        const reply = await h.request(method, `/v1/llms/${encoded}`, {
          key: t.key,
          body: method === 'PUT' ? { temperature: 1 } : undefined,
        })
        expectWellFormed(reply)
        // Dot segments are resolved by the client ('.' is `/v1/llms/`, '..' is `/v1/`). `/v1/llms/` is the
        // collection with a trailing slash: GET lists, PUT and DELETE are not allowed there.
        const path = new URL(`/v1/llms/${encoded}`, 'http://x').pathname
        const expected =
          path === '/v1/llms/' ? (method === 'GET' ? [200] : [405]) : path.startsWith('/v1/llms/') ? [400, 404] : [404]
        expect(expected).toContain(reply.status)
        expect(await snapshot()).toBe(before)
      }),
      runs(150),
    )
  })

  test('arbitrary Authorization headers: 401 JSON, never 5xx (100 runs)', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 80 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
      fc.string({ maxLength: 60 }).filter((s) => /^[\x21-\x7e]*$/.test(s)).map((s) => `Bearer ${s}`),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer llmr_', `Bearer llmr_${'0'.repeat(16)}_${'A'.repeat(43)}`),
    )
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const reply = await h.request('GET', '/v1/llms', { headers: { authorization } })
        expectWellFormed(reply)
        expect(reply.status).toBe(401)
      }),
      runs(100),
    )
  })
})
