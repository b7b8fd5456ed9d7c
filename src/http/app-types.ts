/** The types the app factory and the route modules share (kept apart so neither imports the other). */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify'
import type { CheckService } from '../domain/check-service.js'
import type { LlmService } from '../domain/llm-service.js'
import type { RateLimiter } from './rate-limit.js'
import type { ReadCache } from './read-cache.js'
import type { Metrics } from './metrics.js'

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>

/** What the route modules are given: the domain's services, nothing of storage. */
export interface RouteDeps {
  llms: LlmService
  checks: CheckService
  /** The limits, for the routes that count more than requests (upstream checks). */
  limiter: RateLimiter
  /** Resolves when the database answers (readiness). */
  ping: () => Promise<void>
  /** Serialized answers, never stale (SQLite files: any; PostgreSQL: single LLMs; see read-cache.ts). */
  readCache: ReadCache | undefined
  /** Prometheus metrics, when the process serves them. */
  metrics: Metrics | undefined
}
