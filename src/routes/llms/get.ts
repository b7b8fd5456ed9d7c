/** GET /v1/llms/{id}: one LLM, with its ETag. */
import { Type } from 'typebox'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { etagOf, noneMatch } from '../../http/etag.js'
import { toPublic } from '../../domain/llm.js'
import { LlmIdParams } from '../../contract/llms.js'

export function registerGetLlm(app: App, { llms }: RouteDeps): void {
  app.get(
    '/v1/llms/:id',
    {
      config: { permission: 'llms:read' },
      schema: {
        tags: ['LLMs'],
        summary: 'get llm',
        description: 'Get one LLM configuration. Answers 304 when If-None-Match names its current ETag.',
        operationId: 'getLlm',
        params: LlmIdParams,
        response: {
          200: Type.Ref('LLM'),
          304: Type.Null({ description: 'Not modified' }),
          401: Type.Ref('Error'),
          403: Type.Ref('Error'),
          404: Type.Ref('Error'),
        },
      },
    },
    async (request, reply) => {
      const llm = await llms.get(actorOf(request), request.params.id)
      reply.header('etag', etagOf(llm.version))
      if (noneMatch(request.headers['if-none-match'], llm.version)) return reply.code(304).send(null)
      return toPublic(llm)
    },
  )
}
