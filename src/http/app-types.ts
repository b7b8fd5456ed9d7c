/** The types the app factory and the route modules share (kept apart so neither imports the other). */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify'
import type { LlmService } from '../domain/llm-service.js'

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>

/** What the route modules are given: the domain's services, nothing of storage. */
export interface RouteDeps {
  llms: LlmService
  /** Resolves when the database answers (readiness). */
  ping: () => Promise<void>
}
