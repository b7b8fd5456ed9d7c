/** Liveness and readiness probes, without authentication. */
import { Type } from 'typebox'
import { ERROR_RESPONSES, response } from '../contract/responses.js'
import { AppError } from '../domain/errors.js'
import type { App, RouteDeps } from '../http/app-types.js'
import { sendError } from '../http/errors.js'

const Status = Type.Object({ status: Type.String({ examples: ['ok'] }) }, { description: 'The probe answered.' })

export function registerHealthRoutes(app: App, { ping }: RouteDeps): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['Health'],
        summary: 'The process is alive',
        description: 'Liveness: answers 200 while the process runs, whatever the database does. No authentication.',
        operationId: 'getHealth',
        security: [],
        response: { 200: response('Alive.', Status), 500: ERROR_RESPONSES[500] },
      },
    },
    async () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['Health'],
        summary: 'The database is reachable',
        description: 'Readiness: 200 while the database answers within 2 s, 503 otherwise. No authentication.',
        operationId: 'getReadiness',
        security: [],
        response: { 200: response('Ready to serve.', Status), 500: ERROR_RESPONSES[500], 503: ERROR_RESPONSES[503] },
      },
    },
    async (request, reply) => {
      try {
        await ping()
        return { status: 'ready' }
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed')
        return sendError(request, reply, new AppError('database_unavailable', 'Database unreachable'))
      }
    },
  )
}
