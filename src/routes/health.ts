/** Liveness and readiness probes, without authentication. */
import { Type } from 'typebox'
import type { App, RouteDeps } from '../http/app-types.js'
import { AppError } from '../domain/errors.js'
import { sendError } from '../http/errors.js'

const Status = Type.Object({ status: Type.String() })

export function registerHealthRoutes(app: App, { ping }: RouteDeps): void {
  app.get(
    '/healthz',
    { schema: { tags: ['Health'], summary: 'The process is alive', security: [], response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['Health'],
        summary: 'The database is reachable',
        security: [],
        response: { 200: Status, 503: Type.Ref('Error') },
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
