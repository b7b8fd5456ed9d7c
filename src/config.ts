/**
 * Configuration: one schema of every environment variable (type, default, bounds), read and
 * checked once at start-up. A wrong value stops start-up with a message naming the variable.
 */
import { dirname, join, resolve } from 'node:path'
import { Type, type Static, type TSchema } from 'typebox'
import { Ajv } from 'ajv'
import { parseEncryptionKey } from './crypto/secret-box.js'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const DEFAULT_POOL_MAX = 10

const count = (maximum: number, fallback: number, description: string) =>
  Type.Integer({ minimum: 0, maximum, default: fallback, description })

/** Every variable the service reads, with its default: the one place defaults are set. */
export const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Port to listen on.' }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address to listen on.' }),
  DATABASE_URL: Type.String({
    default: 'sqlite:./data/llm-registry.db',
    description: '`sqlite:<path>` or `postgres://user@host:port/db`.',
  }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_POOL_MAX, description: 'PostgreSQL connections per instance in its pool, plus two kept outside it: one for the updates of PUTs, one for the row stamps GETs read.' }),
  LLMS_ENCRYPTION_KEY: Type.Optional(Type.String({ description: 'Base64 of 32 bytes; required with PostgreSQL.' })),
  LLMS_PREVIOUS_ENCRYPTION_KEYS: Type.Optional(Type.String({ description: 'Comma-separated older keys that only open secrets.' })),
  LOG_LEVEL: Type.Unsafe<(typeof LOG_LEVELS)[number]>({ type: 'string', enum: [...LOG_LEVELS], default: 'info' }),
  RATE_LIMIT_PER_MINUTE: count(1_000_000_000, 1200, 'Requests per minute per API key; 0 turns it off.'),
  AUTH_FAILURES_PER_MINUTE: count(1_000_000_000, 30, 'Failed authentications per minute per client address; 0 turns it off.'),
  LLM_VERSIONS_KEPT: count(1_000_000, 100, 'Versions kept per LLM (the newest); 0 keeps all.'),
  CHECKS_PER_MINUTE: count(1_000_000, 20, 'Upstream checks per minute per API key (each may bill the user); 0 turns it off.'),
  ALLOW_PRIVATE_UPSTREAMS: Type.Boolean({ default: false, description: 'Let checks call http: URLs and loopback or private addresses.' }),
  UPSTREAM_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000, description: 'Connect timeout of upstream calls.' }),
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 20_000, description: 'Total timeout of upstream calls.' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Shared rate-limit counters.' })),
  METRICS_PORT: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 65535, description: 'Serve Prometheus metrics at /metrics on this port (unset: not served).' }),
  ),
  METRICS_HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address the metrics port listens on.' }),
})
export type Env = Static<typeof Env>

export type DatabaseConfig =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string; poolMax: number }

export interface Config {
  port: number
  host: string
  database: DatabaseConfig
  /** The key from LLMS_ENCRYPTION_KEY, or undefined to use (or create) the key file. */
  encryptionKey: Buffer | undefined
  /** Keys from LLMS_PREVIOUS_ENCRYPTION_KEYS: they only open secrets, during a key rotation. */
  previousKeys: Buffer[]
  /** Where the embedded default keeps its key when LLMS_ENCRYPTION_KEY is not given. */
  keyFile: string | undefined
  logLevel: Env['LOG_LEVEL']
  /** Requests per minute per API key (0: no limit). */
  rateLimitPerMinute: number
  /** Failed authentications per minute per client address (0: no limit). */
  authFailuresPerMinute: number
  /** Shared rate-limit counters; in memory when unset. */
  redisUrl: string | undefined
  /** Versions kept per LLM (LLM_VERSIONS_KEPT; 0 keeps all). */
  versionsKept: number
  checksPerMinute: number
  upstream: { allowPrivate: boolean; connectTimeoutMs: number; totalTimeoutMs: number }
  /** Where /metrics is served, or undefined when it is not. */
  metrics: { port: number; host: string } | undefined
}

/** A configuration value that stops start-up, naming the variable and why. */
export class ConfigError extends Error {
  constructor(variable: string, why: string) {
    super(`${variable} ${why}`)
    this.name = 'ConfigError'
  }
}

interface VariableSchema {
  type?: string
  minimum?: number
  maximum?: number
  enum?: string[]
  pattern?: string
  minLength?: number
}

// ajv is loaded for request validation anyway; TypeBox's own checker would add to every start-up.
const ajv = new Ajv({ strict: false, validateSchema: false })

/** One variable's text as its schema's type, or why it is not. Empty text counts as unset. */
function readVariable(name: string, schema: TSchema, text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined
  const rule = schema as VariableSchema
  if (rule.type === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true'
    throw new ConfigError(name, `must be true or false (got "${text}")`)
  }
  const value = rule.type === 'integer' ? (/^\d+$/.test(text) ? Number(text) : undefined) : text
  if (value === undefined) throw new ConfigError(name, `must be a whole number (got "${text}")`)
  if (ajv.validate(schema, value)) return value
  if (rule.enum !== undefined) throw new ConfigError(name, `must be one of ${rule.enum.join(', ')} (got "${text}")`)
  if (rule.minimum !== undefined && rule.maximum !== undefined) {
    throw new ConfigError(name, `must be between ${rule.minimum} and ${rule.maximum} (got ${text})`)
  }
  if (rule.pattern !== undefined) throw new ConfigError(name, `must match ${rule.pattern} (got a value that does not)`)
  throw new ConfigError(name, 'is not valid')
}

/** Every variable of the schema from the environment, checked, with defaults filled in. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const values: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries(Env.properties)) {
    const value = readVariable(name, schema as TSchema, env[name])
    const fallback = (schema as { default?: unknown }).default
    if (value !== undefined) values[name] = value
    else if (fallback !== undefined) values[name] = fallback
  }
  return values as Env
}

/** Parses a DATABASE_URL into a dialect and its connection settings. */
export function parseDatabaseUrl(url: string, poolMax = DEFAULT_POOL_MAX): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '')
    if (path === '') throw new ConfigError('DATABASE_URL', 'must name a file after sqlite:, e.g. sqlite:./data/llm-registry.db')
    return { dialect: 'sqlite', path: resolve(path) }
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', url, poolMax }
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres://')
}

/** The database the environment names (what the operators' commands need, and nothing more). */
export function databaseOf(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const read = readEnv(env)
  return parseDatabaseUrl(read.DATABASE_URL, read.DATABASE_POOL_MAX)
}

function encryptionKeyOf(name: string, text: string, which = ''): Buffer {
  try {
    return parseEncryptionKey(text)
  } catch (error) {
    throw new ConfigError(name, `${which}${(error as Error).message}`)
  }
}

/** Reads the whole configuration; throws ConfigError on the first wrong value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = readEnv(env)
  const database = parseDatabaseUrl(read.DATABASE_URL, read.DATABASE_POOL_MAX)
  const encryptionKey =
    read.LLMS_ENCRYPTION_KEY === undefined ? undefined : encryptionKeyOf('LLMS_ENCRYPTION_KEY', read.LLMS_ENCRYPTION_KEY)
  if (encryptionKey === undefined && database.dialect === 'postgres') {
    throw new ConfigError(
      'LLMS_ENCRYPTION_KEY',
      'is required with PostgreSQL (every instance must share one key); make one with: openssl rand -base64 32',
    )
  }
  const previousKeys = (read.LLMS_PREVIOUS_ENCRYPTION_KEYS ?? '')
    .split(',')
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text, index) => encryptionKeyOf('LLMS_PREVIOUS_ENCRYPTION_KEYS', text, `entry ${index + 1} `))
  return {
    port: read.PORT,
    host: read.HOST,
    database,
    encryptionKey,
    previousKeys,
    keyFile: database.dialect === 'sqlite' ? join(dirname(database.path), 'encryption.key') : undefined,
    logLevel: read.LOG_LEVEL,
    rateLimitPerMinute: read.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: read.AUTH_FAILURES_PER_MINUTE,
    redisUrl: read.REDIS_URL,
    versionsKept: read.LLM_VERSIONS_KEPT,
    checksPerMinute: read.CHECKS_PER_MINUTE,
    upstream: { allowPrivate: read.ALLOW_PRIVATE_UPSTREAMS, connectTimeoutMs: read.UPSTREAM_CONNECT_TIMEOUT_MS, totalTimeoutMs: read.UPSTREAM_TIMEOUT_MS },
    metrics: read.METRICS_PORT === undefined ? undefined : { port: read.METRICS_PORT, host: read.METRICS_HOST },
  }
}
