/** GET /v1/llms/{id}/versions, /versions/{version} and /versions/{from}/diff/{to}: every kept version, one, and what differs. */
import { Type } from 'typebox'
import { DiffParams, HistoryQuery, LlmIdParams, VersionParams } from '../../contract/llms.js'
import { pageMeta, pageOf } from '../../contract/paging.js'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'

export function registerLlmVersions(app: App, { llms }: RouteDeps): void {
  app.get(
    '/v1/llms/:id/versions',
    {
      config: { permission: 'llms:read' },
      schema: {
        tags: ['LLMs'],
        summary: 'llm versions',
        description:
          "The LLM's kept versions, newest first (the last LLM_VERSIONS_KEPT, 100 by default): what made each, who, when, which fields. Visibility as for GET.",
        operationId: 'listLlmVersions',
        params: LlmIdParams,
        querystring: HistoryQuery,
        response: v1Responses({ 200: response('One page of versions, newest first.', Type.Ref('VersionList'), HEADERS.rateLimit) }, [400, 403, 404]),
      },
    },
    async (request) => {
      const { page, perPage } = pageOf(request.query)
      const { items, total } = await llms.versions(actorOf(request), request.params.id, perPage, (page - 1) * perPage)
      return { data: items, meta: pageMeta(total, page, perPage) }
    },
  )

  app.get(
    '/v1/llms/:id/versions/:version',
    {
      config: { permission: 'llms:read' },
      schema: {
        tags: ['LLMs'],
        summary: 'llm version',
        description: 'The LLM as it was at one version: the shape of GET, with `version`. 404 when that version is not kept.',
        operationId: 'getLlmVersion',
        params: VersionParams,
        response: v1Responses({ 200: response('The LLM at that version.', Type.Ref('LlmVersion'), HEADERS.rateLimit) }, [400, 403, 404]),
      },
    },
    async (request) => {
      const { llm, version } = await llms.version(actorOf(request), request.params.id, request.params.version)
      return { ...llm, version: version.version }
    },
  )

  app.get(
    '/v1/llms/:id/versions/:from/diff/:to',
    {
      config: { permission: 'llms:read' },
      schema: {
        tags: ['LLMs'],
        summary: 'llm version diff',
        description: 'The settings (and credential state) that differ between two kept versions, each with both values.',
        operationId: 'diffLlmVersions',
        params: DiffParams,
        response: v1Responses({ 200: response('What differs.', Type.Ref('VersionDiff'), HEADERS.rateLimit) }, [400, 403, 404]),
      },
    },
    async (request) => {
      const { id, from, to } = request.params
      return { from, to, changes: await llms.diff(actorOf(request), id, from, to) }
    },
  )
}
