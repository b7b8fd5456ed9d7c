/** The app factory: a ready Fastify instance from its dependencies, knowing nothing of the process. */
import { randomUUID } from 'node:crypto'
import { maxHeaderSize } from 'node:http'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'
import { pino, type DestinationStream } from 'pino'
import type { TSchema } from 'typebox'
import { ErrorBody } from './contract/errors.js'
import { LIMITS } from './domain/llm-rules.js'
import type { App } from './http/app-types.js'
import { AuthCache, installAuth } from './http/auth.js'
import { registerConsole } from './http/console.js'
import { clientErrorHandler, installErrorHandlers, sendFrameworkError } from './http/errors.js'
import { lazyChildLoggerFactory } from './http/lazy-logger.js'
import { ReadCache } from './http/read-cache.js'
import { AccessLine } from './http/access-line.js'
import type { Services } from './services.js'
import type { Metrics } from './http/metrics.js'
import { trackRouteMethods } from './http/route-methods.js'
import { installJsonBodyParser } from './http/json-body.js'
import { parseQueryString } from './http/query-string.js'
import { cachedSerializers } from './http/serializers.js'
import { installTextGuard } from './http/text-guard.js'
import type { RateLimiter } from './http/rate-limit.js'
import { validatorCompiler } from './http/validation.js'
import { registerHealthRoutes } from './routes/health.js'
import { registerLlmRoutes } from './routes/llms/index.js'

export interface AppDeps {
  /** The domain's services (see services.ts): the app builds nothing of storage itself. */
  services: Pick<Services, 'llms' | 'checks' | 'apiKeys' | 'ping' | 'changeVersion' | 'rowStamp' | 'commits' | 'pgWrites'>
  /** Request and failed-authentication limits. */
  rateLimiter: RateLimiter
  /** Where JSON log lines go (tests capture them); standard output by default. */
  logStream?: DestinationStream
  logLevel?: string
  /** Limits on slow clients (ms); the defaults suit production, tests shorten them. */
  timeouts?: Partial<Timeouts>
  /** The built web console (dist/console); without it /console/ says how to build it. */
  consoleDir?: string
  /** Prometheus metrics (served elsewhere, by server.ts); none when absent. */
  metrics?: Metrics
}

/** How long an authenticated key is remembered: a revocation elsewhere takes effect within this. */
const AUTH_CACHE_TTL_MS = 2000

export interface Timeouts {
  /** A client must send all its headers within this. */
  headersMs: number
  /** ... and the whole request within this. */
  requestMs: number
  /** A connection with no traffic at all is closed after this. */
  idleMs: number
  /** How often Node checks the two limits above. */
  checkIntervalMs: number
}

const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 30_000, checkIntervalMs: 1_000 }

/** Paths whose values are never logged, whatever a serializer or a log call includes. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'body.secret',
  'req.body.secret',
  'secret',
  '*.secret',
  'sealedSecret',
  '*.sealedSecret',
]

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export type { App } from './http/app-types.js'

export async function buildApp(deps: AppDeps): Promise<App> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts }
  const level = deps.logLevel ?? 'info'
  const destination = deps.logStream ?? pino.destination({ dest: 1, sync: true })
  const logger = pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination)
  // The one line a request: method, URL, status and time, never a header or a body, so it skips
  // the redaction pass (and Fastify's per-request child logger) that other lines pay for, and
  // pino's walk over its fields (see AccessLine).
  const accessLine = new AccessLine(logger)
  const metrics = deps.metrics
  const completed = (request: FastifyRequest, reply: FastifyReply) => {
    metrics?.observeRequest(request.method, request.routeOptions?.url ?? '(no route)', reply.statusCode, reply.elapsedTime / 1000)
    accessLine.write(request.id, request.method, request.url, reply.statusCode, reply.elapsedTime)
  }
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: LIMITS.bodyBytes,
    // As long as Node lets a request line be, so that the schema, not the router, answers an
    // over-long id (with a 400 naming it); the query string is read as query-string.ts says.
    routerOptions: { maxParamLength: maxHeaderSize, ignoreTrailingSlash: true, querystringParser: parseQueryString },
    // What the router refuses (a path that is not UTF-8) and what never became a request (not
    // HTTP, headers too large, too slow) answer in the contract's error body too.
    // No hook runs for the first, so it logs its line here.
    frameworkErrors: (error, request, reply) => {
      sendFrameworkError(error, request, reply)
      completed(request, reply)
    },
    clientErrorHandler: clientErrorHandler(logger as FastifyBaseLogger),
    // An upstream proxy's request id is kept when it is safe to log; otherwise a fresh one.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // `__proto__` and `constructor` keys are plain data in metadata: JSON.parse makes them own
    // properties, which never touch a prototype. The schemas reject them everywhere else.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    connectionTimeout: timeouts.idleMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: 5_000,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkIntervalMs },
    return503OnClosing: true,
    schemaController: { compilersFactory: { buildSerializer: cachedSerializers() } },
    // One log line a request (written when it completes) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setValidatorCompiler(validatorCompiler(() => Object.values(app.getSchemas()) as TSchema[]))
  installJsonBodyParser(app)
  app.addSchema(ErrorBody)

  // First: the request id, authentication and limits, in one synchronous step where it can be.
  installAuth(app, deps.services.apiKeys, new AuthCache(AUTH_CACHE_TTL_MS), deps.rateLimiter)
  app.addHook('onResponse', (request, reply, done) => {
    completed(request, reply)
    done()
  })
  installErrorHandlers(app, trackRouteMethods(app))
  installTextGuard(app)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'llm-registry',
        version: '1.0',
        description:
          'The LLM-configuration API of the Anam AI platform (`/v1/llms`), self-hosted. Secrets are write-only. ' +
          'Every error is JSON with a stable `code`; a known path asked with another method answers 405 with `Allow`.',
        contact: { name: 'llm-registry maintainers', url: 'https://www.npmjs.com/package/llm-registry' },
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: 'http://localhost:8080', description: 'The embedded default (`npm start`, PORT 8080)' }],
      components: {
        securitySchemes: {
          BearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key `llmr_…` made with `llm-registry keys create`.' },
        },
      },
      security: [{ BearerAuth: [] }],
      tags: [
        { name: 'LLMs', description: 'LLM configurations: wire format, URLs, model, credential, sampling settings.' },
        { name: 'Health', description: 'Probes for orchestrators; no authentication.' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', theme: { title: 'llm-registry API reference' } })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  const { changeVersion, rowStamp } = deps.services
  const readCache =
    changeVersion !== undefined ? new ReadCache({ changeVersion }) : rowStamp !== undefined ? new ReadCache({ rowStamp }) : undefined
  if (readCache !== undefined) metrics?.watchReadCache(readCache)
  if (deps.services.commits !== undefined) metrics?.watchCommits(deps.services.commits)
  if (deps.services.pgWrites !== undefined) metrics?.watchPgWrites(deps.services.pgWrites)
  const routeDeps = {
    readCache,
    metrics,
    llms: deps.services.llms,
    checks: deps.services.checks,
    limiter: deps.rateLimiter,
    ping: () => withTimeout(deps.services.ping(), 2000),
  }
  registerHealthRoutes(app, routeDeps)
  registerLlmRoutes(app, routeDeps)
  await registerConsole(app, deps.consoleDir)
  await app.ready()
  return app
}
