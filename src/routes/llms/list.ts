/** GET /v1/llms: one page of the LLMs the key's organization can see. */
import { Type } from 'typebox'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { sendSerialized } from '../../http/serializers.js'
import { toPublic } from '../../domain/llm.js'
import { pageMeta, pageOf } from '../../contract/paging.js'
import { ListQuery } from '../../contract/llms.js'

export function registerListLlms(app: App, deps: RouteDeps): void {
  const { llms } = deps
  // Pages are cached only where the cache covers them (SQLite; see read-cache.ts).
  const readCache = deps.readCache?.coversPages === true ? deps.readCache : undefined
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
    async (request, reply) => {
      const actor = actorOf(request)
      const { page, perPage } = pageOf(request.query)
      const { search, includeDefaults = true } = request.query
      // A page is the same for every key of one organization.
      const key = `list:${actor.organizationId}:${page}:${perPage}:${includeDefaults ? 1 : 0}:${search ?? ''}`
      const version = readCache?.version()
      const hit = readCache?.get(key)
      if (hit !== undefined) {
        llms.assertCanList(actor)
        return sendSerialized(reply, hit.body)
      }
      const { items, total } = await llms.list(actor, {
        includeDefaults,
        search: search ?? null,
        limit: perPage,
        offset: (page - 1) * perPage,
      })
      const body = reply.serialize({ data: items.map(toPublic), meta: pageMeta(total, page, perPage) }) as string
      if (version !== undefined) readCache?.put(key, { body }, version)
      return sendSerialized(reply, body)
    },
  )
}
