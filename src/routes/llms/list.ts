/** GET /v1/llms: one page of the LLMs the key's organization can see. */
import { Type } from 'typebox'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { toPublic } from '../../domain/llm.js'
import { pageMeta, pageOf } from '../../contract/paging.js'
import { ListQuery } from '../../contract/llms.js'

export function registerListLlms(app: App, { llms }: RouteDeps): void {
  app.get(
    '/v1/llms',
    {
      config: { permission: 'llms:read' },
      schema: {
        tags: ['LLMs'],
        summary: 'list llms',
        description: 'List the LLM configurations visible to your organization: its own and the global ones.',
        operationId: 'listLlms',
        querystring: ListQuery,
        response: v1Responses({ 200: response('One page of LLMs, newest first.', Type.Ref('LlmList'), HEADERS.rateLimit) }, [400, 403]),
      },
    },
    async (request) => {
      const { page, perPage } = pageOf(request.query)
      const { search, includeDefaults = true } = request.query
      const { items, total } = await llms.list(actorOf(request), {
        includeDefaults,
        search: search ?? null,
        limit: perPage,
        offset: (page - 1) * perPage,
      })
      return { data: items.map(toPublic), meta: pageMeta(total, page, perPage) }
    },
  )
}
