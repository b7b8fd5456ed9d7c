/** /metrics on its own port: request durations per route, the read cache, statements, refusals, check outcomes. */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { BACKEND, createTestDatabase, validLlm, type TestDatabase } from '../testing/harness.js'
import { startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js'
import { callServer, createOrgKey, startServer, type ServerProcess } from '../testing/process.js'

let db: TestDatabase
let server: ServerProcess
let upstream: FakeUpstream
let key: string
let metricsUrl: string

beforeAll(async () => {
  db = await createTestDatabase()
  upstream = await startFakeUpstream('sk-metrics')
  const env = { DATABASE_URL: db.url, LLMS_ENCRYPTION_KEY: randomBytes(32).toString('base64') }
  server = await startServer({ ...env, METRICS_PORT: '0', RATE_LIMIT_PER_MINUTE: '40', ALLOW_PRIVATE_UPSTREAMS: 'true' })
  key = await createOrgKey(env)
  const deadline = Date.now() + 5000
  while (!/"metrics":"(http:[^"]+)"/.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  metricsUrl = /"metrics":"(http:[^"]+)"/.exec(server.output())?.[1] ?? ''
}, 60_000)

afterAll(async () => {
  await server.stop()
  await upstream.close()
  await db.drop()
})

/** The value of one sample line of the metrics text, by its name and labels. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}`}`))
  return line === undefined ? NaN : Number(line.split(' ').pop())
}

test('metrics are served on their own port, with what operators need', async () => {
  expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
  // The API port does not serve them.
  expect((await callServer(server.baseUrl, 'GET', '/metrics')).status).toBe(404)

  const created = await callServer(server.baseUrl, 'POST', '/v1/llms', {
    key,
    body: validLlm({ llmFormat: 'openai', modelName: 'ok', urls: [{ url: `${upstream.url}/v1/chat/completions` }], secret: 'sk-metrics' }),
  })
  expect(created.status).toBe(201)
  for (let i = 0; i < 10; i++) expect((await callServer(server.baseUrl, 'GET', `/v1/llms/${created.body.id}`, { key })).status).toBe(200)
  expect((await callServer(server.baseUrl, 'PUT', `/v1/llms/${created.body.id}`, { key, body: { temperature: 0.3 } })).status).toBe(200)
  expect((await callServer(server.baseUrl, 'POST', `/v1/llms/${created.body.id}/check`, { key, body: {} })).status).toBe(200)
  let refused = 0
  for (let i = 0; i < 40 && refused === 0; i++) refused += (await callServer(server.baseUrl, 'GET', '/v1/llms', { key })).status === 429 ? 1 : 0
  expect(refused).toBe(1)

  const response = await fetch(metricsUrl)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
  const text = await response.text()
  expect(sample(text, 'llmr_http_request_duration_seconds_count', 'method="GET",route="/v1/llms/:id",status="200"')).toBe(10)
  expect(sample(text, 'llmr_http_request_duration_seconds_count', 'method="POST",route="/v1/llms",status="201"')).toBe(1)
  expect(sample(text, 'llmr_rate_limit_refusals_total', 'limit="key"')).toBe(1)
  expect(sample(text, 'llmr_upstream_checks_total', 'outcome="ok"')).toBe(1)
  expect(sample(text, 'llmr_db_statement_duration_seconds_count')).toBeGreaterThan(0)
  expect(text).toContain('llmr_process_resident_memory_bytes')
  // The first GET filled the cache, the other nine were served from it (on PostgreSQL, each
  // after its row's stamp was read: see read-cache.ts).
  expect(sample(text, 'llmr_read_cache_hits_total')).toBeGreaterThanOrEqual(9)
  expect(sample(text, 'llmr_read_cache_entries')).toBeGreaterThan(0)
  // SQLite's group commit (group-commit.ts): the create and the PUT, each in its commit.
  if (BACKEND === 'sqlite') {
    expect(sample(text, 'llmr_sqlite_commits_total')).toBe(2)
    expect(sample(text, 'llmr_sqlite_committed_writes_total')).toBe(2)
    expect(text).not.toContain('llmr_pg_write_statements_total')
  } else {
    expect(text).not.toContain('llmr_sqlite_commits_total')
    // PostgreSQL's batched updates (write-batch.ts): the one PUT, in one statement, out for a while.
    expect(sample(text, 'llmr_pg_write_statements_total')).toBe(1)
    expect(sample(text, 'llmr_pg_statement_writes_total')).toBe(1)
    expect(sample(text, 'llmr_pg_write_statement_seconds_total')).toBeGreaterThan(0)
  }
  // Nothing of any organization's data or credentials.
  expect(text).not.toMatch(/sk-metrics|llmr_[0-9a-f]{16}_/)
})
