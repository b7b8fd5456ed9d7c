/** GET /v1/llms/{id}/history: who changed the LLM, when, and which fields. */
import { Type } from 'typebox'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { pageMeta, pageOf } from '../../contract/paging.js'
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
        response: v1Responses({ 200: response('One page of the history, newest first.', Type.Ref('AuditList'), HEADERS.rateLimit) }, [400, 403, 404]),
      },
    },
    async (request) => {
      const { page, perPage } = pageOf(request.query)
      const { items, total } = await llms.history(actorOf(request), request.params.id, perPage, (page - 1) * perPage)
      return { data: items, meta: pageMeta(total, page, perPage) }
    },
  )
}
