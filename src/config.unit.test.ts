/** The environment schema: every variable checked, named when wrong, defaults from one place. */
import { describe, expect, test } from 'vitest'
import { ConfigError, Env, loadConfig } from './config.js'

const KEY = Buffer.alloc(32, 7).toString('base64')

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('the configuration was accepted')
}

describe('configuration', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'info',
      rateLimitPerMinute: 1200,
      authFailuresPerMinute: 30,
      redisUrl: undefined,
      encryptionKey: undefined,
      previousKeys: [],
    })
    expect(config.database).toMatchObject({ dialect: 'sqlite' })
    expect(config.keyFile).toMatch(/data\/encryption\.key$/)
  })

  test('every variable the schema names is one the service documents, with a default or optional', () => {
    for (const [name, schema] of Object.entries(Env.properties)) {
      const optional = !(Env.required as readonly string[] | undefined)?.includes(name)
      expect({ name, hasDefault: 'default' in schema || optional }).toEqual({ name, hasDefault: true })
    }
  })

  test.each([
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")'],
    [{ PORT: '80a' }, 'PORT must be a whole number (got "80a")'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535 (got 70000)'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX must be between 1 and 1000 (got 0)'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE must be a whole number (got "-1")'],
    [{ AUTH_FAILURES_PER_MINUTE: '1.5' }, 'AUTH_FAILURES_PER_MINUTE must be a whole number (got "1.5")'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must match ^rediss?:// (got a value that does not)'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must start with sqlite: or postgres://'],
    [{ LLMS_ENCRYPTION_KEY: 'short' }, 'LLMS_ENCRYPTION_KEY must be base64 of 32 bytes'],
    [{ LLMS_ENCRYPTION_KEY: KEY, LLMS_PREVIOUS_ENCRYPTION_KEYS: `${KEY},bad` }, 'LLMS_PREVIOUS_ENCRYPTION_KEYS entry 2 must be base64 of 32 bytes'],
    [{ DATABASE_URL: 'postgres://u@h/db' }, 'LLMS_ENCRYPTION_KEY is required with PostgreSQL'],
  ])('%o stops start-up with a message naming the variable', (env, message) => {
    expect(refusal(env)).toContain(message)
  })

  test('an empty value counts as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '', REDIS_URL: '' })).toMatchObject({ port: 8080, logLevel: 'info', redisUrl: undefined })
  })

  test('a valid value of every kind is taken', () => {
    const config = loadConfig({
      PORT: '9000',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'postgres://u@h/db',
      DATABASE_POOL_MAX: '3',
      LLMS_ENCRYPTION_KEY: KEY,
    })
    expect(config).toMatchObject({ port: 9000, logLevel: 'warn', rateLimitPerMinute: 0, redisUrl: 'redis://127.0.0.1:6379' })
    expect(config.database).toEqual({ dialect: 'postgres', url: 'postgres://u@h/db', poolMax: 3 })
  })
})
