/** PUT /v1/llms/{id}: the partial update of the seed, atomic and guarded by If-Match and If-None-Match. */
import { Type } from 'typebox'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { etagOf, preconditions } from '../../http/etag.js'
import { toPublic } from '../../domain/llm.js'
import { WritePreconditions, LlmIdParams, UpdateLlmBody } from '../../contract/llms.js'

export function registerUpdateLlm(app: App, { llms }: RouteDeps): void {
  app.put(
    '/v1/llms/:id',
    {
      config: { permission: 'llms:write' },
      schema: {
        tags: ['LLMs'],
        summary: 'update llm',
        description:
          'Partial update of an LLM configuration: only the fields you include are changed. Default LLMs ' +
          'cannot be modified. Rotating `secret` replaces the stored credential. With If-Match, a stale ' +
          'ETag answers 412 and changes nothing; so does an If-None-Match naming the current ETag (or `*`).',
        operationId: 'updateLlm',
        params: LlmIdParams,
        headers: WritePreconditions,
        body: UpdateLlmBody,
        response: v1Responses(
          { 200: response('The whole updated LLM.', Type.Ref('LLM'), { ...HEADERS.etag, ...HEADERS.rateLimit }) },
          [400, 403, 404, 412, 413, 415],
        ),
      },
    },
    async (request, reply) => {
      const llm = await llms.update(
        actorOf(request),
        request.params.id,
        request.body,
        preconditions(request.headers),
      )
      reply.header('etag', etagOf(llm.version))
      return toPublic(llm)
    },
  )
}
