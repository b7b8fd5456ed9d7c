/** POST /v1/llms: a new LLM configuration owned by the key's organization. */
import { Type } from 'typebox'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { etagOf } from '../../http/etag.js'
import { toPublic } from '../../domain/llm.js'
import { CreateLlmBody } from '../../contract/llms.js'

export function registerCreateLlm(app: App, { llms }: RouteDeps): void {
  app.post(
    '/v1/llms',
    {
      config: { permission: 'llms:write' },
      schema: {
        tags: ['LLMs'],
        summary: 'create llm',
        description: 'Create an LLM configuration. The secret is stored encrypted and never returned.',
        operationId: 'createLlm',
        body: CreateLlmBody,
        response: {
          201: Type.Ref('LLM'),
          400: Type.Ref('Error'),
          401: Type.Ref('Error'),
          403: Type.Ref('Error'),
          413: Type.Ref('Error'),
          415: Type.Ref('Error'),
        },
      },
    },
    async (request, reply) => {
      const llm = await llms.create(actorOf(request), request.body)
      reply.code(201).header('location', `/v1/llms/${encodeURIComponent(llm.id)}`).header('etag', etagOf(llm.version))
      return toPublic(llm)
    },
  )
}
