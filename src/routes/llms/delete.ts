/** DELETE /v1/llms/{id}: removes an LLM the key's organization owns. */
import { Type } from 'typebox'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { ifMatch } from '../../http/etag.js'

import { LlmIdParams } from '../../contract/llms.js'

export function registerDeleteLlm(app: App, { llms }: RouteDeps): void {
  app.delete(
    '/v1/llms/:id',
    {
      config: { permission: 'llms:write' },
      schema: {
        tags: ['LLMs'],
        summary: 'delete llm',
        description: 'Delete an LLM configuration your organization owns. Default LLMs cannot be deleted.',
        operationId: 'deleteLlm',
        params: LlmIdParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          401: Type.Ref('Error'),
          403: Type.Ref('Error'),
          404: Type.Ref('Error'),
          412: Type.Ref('Error'),
        },
      },
    },
    async (request, reply) => {
      await llms.remove(actorOf(request), request.params.id, ifMatch(request.headers['if-match']))
      return reply.code(204).send(null)
    },
  )
}
