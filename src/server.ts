/** The process: read configuration, open and prepare the database, listen, shut down gracefully. */
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { buildApp } from './app.js'
import { LogBatcher } from './http/log-batcher.js'
import { MemoryRateStore, RateLimiter, type RateStore } from './http/rate-limit.js'
import { ConfigError, loadConfig } from './config.js'
import { chooseKey } from './crypto/key-choice.js'
import { assertKeyOpensStoredSecrets } from './domain/secret-rotation.js'
import { createServices } from './services.js'
import { openDatabase } from './storage/database.js'
import { autovacuumOff, prepareDatabase } from './storage/prepare.js'

function fail(message: string): never {
  process.stderr.write(`llm-registry: cannot start: ${message}\n`)
  process.exit(1)
}

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message)
    throw error
  }
  let keys
  try {
    keys = chooseKey(config)
  } catch (error) {
    fail((error as Error).message)
  }
  let poolErrors = 0
  // Loaded only when asked for: prom-client costs start-up time otherwise.
  const metricsModule = config.metrics === undefined ? undefined : await import('./http/metrics.js')
  const metrics = metricsModule === undefined ? undefined : new metricsModule.Metrics()
  const statements = metrics?.statements
  const storage = openDatabase(config.database, {
    onPoolError: () => void poolErrors++,
    checkpoints: true,
    ...(statements !== undefined && { onStatement: (ms: number) => statements.observe(ms / 1000) }),
  })
  const prepared = await prepareDatabase(storage)
  const services = createServices(storage, keys.box, { versionsKept: config.versionsKept, upstream: config.upstream })
  // Only the embedded default makes its own first organization; PostgreSQL deployments use the CLI.
  const firstKey = storage.dialect === 'sqlite' ? await services.orgs.createFirstOrganization() : undefined
  try {
    await assertKeyOpensStoredSecrets(services.secrets, keys.box)
  } catch (error) {
    await storage.close()
    fail((error as Error).message)
  }

  // Log lines are gathered into chunks (see LogBatcher) rather than written one syscall each: on
  // this kind of machine a write costs as much as serving a request. Flushed on exit.
  const logStream = LogBatcher.toFd(1)
  let rateStore: RateStore = new MemoryRateStore()
  if (config.redisUrl !== undefined) {
    try {
      // Loaded only when used: the Redis client costs a fifth of a second of every start-up.
      const { RedisRateStore } = await import('./http/redis-rate-store.js')
      rateStore = await RedisRateStore.connect(config.redisUrl)
    } catch (error) {
      await storage.close()
      fail(`REDIS_URL: cannot connect (${(error as Error).message})`)
    }
  }
  const limits = {
    perKeyPerMinute: config.rateLimitPerMinute,
    authFailuresPerMinute: config.authFailuresPerMinute,
    checksPerMinute: config.checksPerMinute,
  }
  let storeErrors = 0
  const rateLimiter = new RateLimiter(rateStore, limits, () => void storeErrors++)
  if (metrics !== undefined) rateLimiter.onRefusal = (limit) => metrics.rateLimitRefusals.inc({ limit })
  const consoleDir = fileURLToPath(new URL('../console/', import.meta.url))
  const app = await buildApp({ services, logLevel: config.logLevel, logStream, rateLimiter, consoleDir, ...(metrics !== undefined && { metrics }) })
  const log = app.log
  if (keys.createdKeyFile !== undefined) {
    log.warn({ keyFile: keys.createdKeyFile }, 'created a new encryption key file (mode 0600); back it up with the database')
  }
  if (prepared.migrations.length > 0) log.info({ migrations: prepared.migrations }, 'database migrated')
  if (prepared.seeded > 0) log.info({ seeded: prepared.seeded }, 'built-in default LLMs seeded')
  if (await autovacuumOff(storage)) {
    log.warn(
      { table: 'llm_versions' },
      "PostgreSQL's autovacuum is off for this table: every write leaves a dead row in it that nothing reclaims, so it grows without end; turn autovacuum on, or run VACUUM regularly",
    )
  }

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal }, 'shutting down: finishing in-flight requests')
    const force = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting')
      process.exit(1)
    }, 10_000)
    force.unref()
    app
      .close()
      .then(() => Promise.all([storage.close(), rateStore.close(), services.close()]))
      .then(() => {
        if (poolErrors > 0) log.info({ poolErrors }, 'idle database connections failed during the run')
        if (storeErrors > 0) log.warn({ storeErrors }, 'rate-limit store failures (requests were let through)')
        log.info('stopped')
        logStream.flushSync()
        process.exit(0)
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'error during shutdown')
        logStream.flushSync()
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))

  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    await Promise.all([storage.close(), rateStore.close()])
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      fail(`port ${config.port} is already in use on ${config.host}; stop what holds it or choose another port with PORT=<port>`)
    }
    throw error
  }
  if (metricsModule !== undefined && metrics !== undefined && config.metrics !== undefined) {
    const metricsServer = await metricsModule.serveMetrics(metrics, config.metrics.port, config.metrics.host)
    metricsServer.unref()
    const where = metricsServer.address() as AddressInfo
    log.info({ metrics: `http://${where.address}:${where.port}/metrics` }, 'metrics listening')
  }
  logStream.flush()
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  const address = `http://${shown}:${(app.server.address() as AddressInfo).port}`
  if (firstKey !== undefined) {
    // Printed once, to stdout and never to the log: the only copy of this key.
    process.stdout.write(
      [
        '',
        'First start: created organization "default" and an API key with llms:read and llms:write.',
        'It is shown this once; keep it somewhere safe:',
        '',
        `  API key: ${firstKey}`,
        '',
        `Open ${address}/console/ and paste the key above to sign in.`,
        `The API is at ${address}/v1/llms; its reference at ${address}/docs.`,
        '',
      ].join('\n'),
    )
  } else if (storage.dialect === 'sqlite') {
    process.stdout.write(
      `\nllm-registry is listening at ${address}: the console is at ${address}/console/ (API reference: ${address}/docs).\n` +
        'Need an API key? Run: npx llm-registry keys create --org default\n\n',
    )
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`llm-registry: cannot start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
