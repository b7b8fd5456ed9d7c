/**
 * Test harness: a real server on a real database (SQLite file or a fresh PostgreSQL database,
 * chosen by TEST_DATABASE), spoken to over real HTTP. Every log line and response is captured so
 * tests can prove a secret never leaves.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pg from 'pg'
import { buildApp, type App, type AppDeps } from '../app.js'
import { CONSOLE_DIR } from './process.js'
import { SecretBox } from '../crypto/secret-box.js'
import { MemoryRateStore, RateLimiter } from '../http/rate-limit.js'
import { openDatabase, type Storage } from '../storage/database.js'
import type { OrganizationService } from '../domain/organizations.js'
import { createServices, organizationsOf, type Services, type ServiceOptions } from '../services.js'
import { KyselyLlmRepository } from '../storage/llm-repository.js'
import { prepareDatabase } from '../storage/prepare.js'
import type { DatabaseConfig } from '../config.js'

export type Backend = 'sqlite' | 'postgres'



/** What a test may set on its server: slow-client limits, a rate limiter, how many versions are kept. */
export type HarnessOptions = Partial<Pick<AppDeps, 'timeouts' | 'rateLimiter'>> & ServiceOptions

export const BACKEND: Backend = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'

/** Where tests may create and drop their own databases. */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  config: DatabaseConfig
  /** The DATABASE_URL of this database, for child processes. */
  url: string
  drop(): Promise<void>
}

/** A brand-new, empty database of the backend under test (the benchmark makes its own with it too). */
export async function createTestDatabase(backend: Backend = BACKEND, adminUrl = PG_ADMIN_URL): Promise<TestDatabase> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'llmr-test-'))
    const path = join(dir, 'test.db')
    return {
      config: { dialect: 'sqlite', path },
      url: `sqlite:${path}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const name = `llmr_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    config: { dialect: 'postgres', url: url.toString(), poolMax: 10 },
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    },
  }
}

export interface Tenant {
  organizationId: string
  /** A key with llms:read and llms:write. */
  key: string
  keyId: string
  /** A key with llms:read only. */
  readKey: string
}

export interface Reply {
  status: number
  headers: Headers
  text: string
  /** The parsed body, or undefined when it is empty or not JSON. */
  body: any
}

export interface RequestOptions {
  key?: string
  body?: unknown
  /** Sent as is, instead of JSON.stringify(body). */
  raw?: string
  headers?: Record<string, string>
}

export class Harness {
  readonly logs: string[] = []
  readonly replies: string[] = []
  baseUrl = ''
  app: App | undefined
  services: Services | undefined
  storage: Storage | undefined

  constructor(
    readonly database: TestDatabase,
    readonly box: SecretBox,
    readonly options: HarnessOptions = {},
  ) {}

  /** The first log line (parsed) that carries this request id; chunks may hold several lines. */
  logLine(requestId: string | null | undefined): Record<string, unknown> | undefined {
    for (const line of this.logs.flatMap((chunk) => chunk.split('\n'))) {
      if (line !== '' && line.includes(`"${requestId}"`)) {
        const parsed = JSON.parse(line) as Record<string, unknown>
        if (parsed.reqId === requestId) return parsed
      }
    }
    return undefined
  }

  /** Opens the database and starts the server on a free port. */
  async start(): Promise<void> {
    this.storage = openDatabase(this.database.config)
    await prepareDatabase(this.storage)
    const logs = this.logs
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk))
        done()
      },
    })
    const { versionsKept, upstream, ...appOptions } = this.options
    this.services = createServices(this.storage, this.box, { versionsKept, upstream })
    this.app = await buildApp({
      services: this.services,
      logStream,
      logLevel: 'info',
      // Every test's requests come from 127.0.0.1: the limits get their own tests.
      rateLimiter: new RateLimiter(new MemoryRateStore(), { perKeyPerMinute: 0, authFailuresPerMinute: 0 }),
      consoleDir: CONSOLE_DIR,
      ...appOptions,
    })
    const address = await this.app.listen({ port: 0, host: '127.0.0.1' })
    this.baseUrl = address
  }

  async stop(): Promise<void> {
    await this.app?.close()
    await this.services?.close()
    await this.storage?.close()
    this.app = undefined
    this.storage = undefined
  }

  get orgs(): OrganizationService {
    return organizationsOf(this.requireStorage())
  }

  get llmRepository(): KyselyLlmRepository {
    return new KyselyLlmRepository(this.requireStorage())
  }

  requireStorage(): Storage {
    if (this.storage === undefined) throw new Error('harness is not started')
    return this.storage
  }

  /** A fresh organization with a read-write and a read-only key. */
  async tenant(): Promise<Tenant> {
    const org = await this.orgs.createOrganization(`org-${randomUUID()}`)
    const rw = await this.orgs.createApiKey(org.id, ['llms:read', 'llms:write'])
    const ro = await this.orgs.createApiKey(org.id, ['llms:read'])
    return { organizationId: org.id, key: rw.raw, keyId: rw.id, readKey: ro.raw }
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`
    let payload: string | undefined = options.raw
    if (payload === undefined && options.body !== undefined) payload = JSON.stringify(options.body)
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json'
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload })
    const text = await response.text()
    this.replies.push(`${JSON.stringify([...response.headers])}\n${text}`)
    let body: unknown
    try {
      body = text === '' ? undefined : JSON.parse(text)
    } catch {
      body = undefined
    }
    return { status: response.status, headers: response.headers, text, body }
  }

  get(path: string, key?: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, { key, headers })
  }

  put(path: string, key: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('PUT', path, { key, body, headers })
  }

  post(path: string, key: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, { key, body, headers })
  }

  delete(path: string, key: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('DELETE', path, { key, headers })
  }

  /** Creates an LLM through the API and returns the response body (asserting 201). */
  async createLlm(key: string, overrides: Record<string, unknown> = {}): Promise<any> {
    const reply = await this.post('/v1/llms', key, validLlm(overrides))
    if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${reply.text}`)
    return reply.body
  }

  /** The record as stored, bypassing the API (to prove a rejected request changed nothing). */
  async stored(id: string) {
    return this.llmRepository.findById(id)
  }
}

/** A valid create body for an upstream format; overrides replace fields (undefined removes one). */
export function validLlm(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    displayName: 'Test GPT',
    description: 'A test configuration',
    llmFormat: 'openai',
    urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
    modelName: 'gpt-4o',
    secret: 'sk-test-0000',
    temperature: 0.7,
    maxTokens: 1024,
    ...overrides,
  }
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k]
  return body
}

/** Starts a harness (a server on a fresh database of the backend under test). */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase()
  const harness = new Harness(database, new SecretBox(randomBytes(32)), options)
  await harness.start()
  return harness
}

export async function stopHarness(harness: Harness | undefined): Promise<void> {
  if (harness === undefined) return
  await harness.stop()
  await harness.database.drop()
}
