/** GET /v1/llms/{id}: one LLM, with its ETag. */
import { Type } from 'typebox'
import type { FastifyReply } from 'fastify'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { sendSerialized } from '../../http/serializers.js'
import { etagOf, noneMatch, noneMatchTag } from '../../http/etag.js'
import { toPublic } from '../../domain/llm.js'
import { IfNoneMatchHeader, LlmIdParams } from '../../contract/llms.js'

export function registerGetLlm(app: App, { llms, readCache }: RouteDeps): void {
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
        headers: IfNoneMatchHeader,
        response: v1Responses(
          {
            200: response('The LLM.', Type.Ref('LLM'), { ...HEADERS.etag, ...HEADERS.rateLimit }),
            304: response('Not modified: `If-None-Match` names the current version.', null, { ...HEADERS.etag, ...HEADERS.rateLimit }),
          },
          [400, 403, 404],
        ),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const key = `llm:${request.params.id}`
      const version = readCache?.version()
      const stamp = readCache?.stampOf === undefined ? undefined : await readCache.stampOf(request.params.id)
      const hit = readCache?.get(key, stamp)
      if (hit?.owner !== undefined && hit.etag !== undefined) {
        llms.assertReadable(actor, hit.owner)
        reply.header('etag', hit.etag)
        if (noneMatchTag(request.headers['if-none-match'], hit.etag)) return notModified(reply)
        return sendSerialized(reply, hit.body)
      }
      const llm = await llms.get(actor, request.params.id)
      const etag = etagOf(llm.version)
      reply.header('etag', etag)
      if (noneMatch(request.headers['if-none-match'], llm.version)) return notModified(reply)
      const body = reply.serialize(toPublic(llm)) as string
      if (version !== undefined && (readCache?.stampOf === undefined || stamp !== undefined)) {
        const owner = { isGlobal: llm.isGlobal, createdByOrganizationId: llm.createdByOrganizationId }
        readCache?.put(key, { body, etag, owner, ...(stamp !== undefined && { stamp }) }, version)
      }
      return sendSerialized(reply, body)
    },
  )
}

/** A 304 has no body: nothing is serialized, so it carries no Content-Length or Content-Type of one (RFC 9110 §15.4.5). */
function notModified(reply: FastifyReply): FastifyReply {
  return reply.code(304).send()
}
