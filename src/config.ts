/** Configuration: read from the environment and validated once, at start-up. */
import { dirname, join, resolve } from 'node:path'
import { parseEncryptionKey } from './crypto/secret-box.js'

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
  logLevel: string
  /** Requests per minute per API key (RATE_LIMIT_PER_MINUTE; 0: no limit). */
  rateLimitPerMinute: number
  /** Failed authentications per minute per client address (AUTH_FAILURES_PER_MINUTE; 0: no limit). */
  authFailuresPerMinute: number
  /** Shared rate-limit counters (REDIS_URL); in memory when unset. */
  redisUrl: string | undefined
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/llm-registry.db'

/** A configuration value that stops start-up, naming the variable and why. */
export class ConfigError extends Error {
  constructor(variable: string, why: string) {
    super(`${variable} ${why}`)
    this.name = 'ConfigError'
  }
}

/** Parses a DATABASE_URL into a dialect and its connection settings. */
export function parseDatabaseUrl(url: string, poolMax = 10): DatabaseConfig {
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

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  if (!/^\d+$/.test(text)) throw new ConfigError(name, `must be a whole number (got "${text}")`)
  const value = Number(text)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${value})`)
  return value
}

/** Reads the whole configuration; throws ConfigError on the first wrong value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const poolMax = integer(env, 'DATABASE_POOL_MAX', 10, 1, 1000)
  const database = parseDatabaseUrl(env.DATABASE_URL || DEFAULT_DATABASE_URL, poolMax)
  let encryptionKey: Buffer | undefined
  if (env.LLMS_ENCRYPTION_KEY !== undefined && env.LLMS_ENCRYPTION_KEY !== '') {
    try {
      encryptionKey = parseEncryptionKey(env.LLMS_ENCRYPTION_KEY)
    } catch (error) {
      throw new ConfigError('LLMS_ENCRYPTION_KEY', (error as Error).message)
    }
  } else if (database.dialect === 'postgres') {
    throw new ConfigError(
      'LLMS_ENCRYPTION_KEY',
      'is required with PostgreSQL (every instance must share one key); make one with: openssl rand -base64 32',
    )
  }
  const previousKeys = (env.LLMS_PREVIOUS_ENCRYPTION_KEYS ?? '')
    .split(',')
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text, index) => {
      try {
        return parseEncryptionKey(text)
      } catch (error) {
        throw new ConfigError('LLMS_PREVIOUS_ENCRYPTION_KEYS', `entry ${index + 1} ${(error as Error).message}`)
      }
    })
  return {
    previousKeys,
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    database,
    encryptionKey,
    keyFile: database.dialect === 'sqlite' ? join(dirname(database.path), 'encryption.key') : undefined,
    logLevel: env.LOG_LEVEL || 'info',
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000_000),
    authFailuresPerMinute: integer(env, 'AUTH_FAILURES_PER_MINUTE', 30, 0, 1_000_000_000),
    redisUrl: env.REDIS_URL || undefined,
  }
}
