/** GET /v1/llms/{id}/history: who changed the LLM, when, and which fields. */
import { Type } from 'typebox'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { pageMeta } from '../../contract/paging.js'
import { HistoryQuery, LlmIdParams } from '../../contract/llms.js'

export function registerLlmHistory(app: App, { llms }: RouteDeps): void {
  app.get(
    '/v1/llms/:id/history',
    {
      config: { permission: 'llms:read' },
      schema: {
        tags: ['LLMs'],
        summary: 'llm history',
        description: 'The audit trail of an LLM, newest first: the key that acted, when, and the names of the changed fields.',
        operationId: 'getLlmHistory',
        params: LlmIdParams,
        querystring: HistoryQuery,
        response: { 200: Type.Ref('AuditList'), 400: Type.Ref('Error'), 401: Type.Ref('Error'), 403: Type.Ref('Error'), 404: Type.Ref('Error') },
      },
    },
    async (request) => {
      const { page, perPage } = request.query
      const { items, total } = await llms.history(actorOf(request), request.params.id, perPage, (page - 1) * perPage)
      return { data: items, meta: pageMeta(total, page, perPage) }
    },
  )
}
