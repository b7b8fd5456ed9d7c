/** DELETE /v1/llms/{id}: removes an LLM the key's organization owns. */
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { preconditions } from '../../http/etag.js'

import { WritePreconditions, LlmIdParams } from '../../contract/llms.js'

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
        headers: WritePreconditions,
        response: v1Responses({ 204: response('Deleted; no body.', null, HEADERS.rateLimit) }, [400, 403, 404, 412]),
      },
    },
    async (request, reply) => {
      await llms.remove(actorOf(request), request.params.id, preconditions(request.headers))
      return reply.code(204).send(null)
    },
  )
}
