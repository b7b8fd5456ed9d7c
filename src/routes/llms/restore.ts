/** POST /v1/llms/{id}/restore: an earlier version's settings become the LLM's again, as a new version. */
import { Type } from 'typebox'
import { WritePreconditions, LlmIdParams, RestoreBody } from '../../contract/llms.js'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import { toPublic } from '../../domain/llm.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { etagOf, preconditions } from '../../http/etag.js'

export function registerRestoreLlm(app: App, { llms }: RouteDeps): void {
  app.post(
    '/v1/llms/:id/restore',
    {
      config: { permission: 'llms:write' },
      schema: {
        tags: ['LLMs'],
        summary: 'restore llm version',
        description:
          "Applies a kept version's settings as a new version (action `restore`), through the rules of an update: a result " +
          "that today's rules refuse is a 400 naming the fields. The current credential is kept. Visibility, If-Match and If-None-Match as for PUT.",
        operationId: 'restoreLlm',
        params: LlmIdParams,
        headers: WritePreconditions,
        body: RestoreBody,
        response: v1Responses(
          { 200: response('Restored (or already holding those settings).', Type.Ref('RestoreResult'), { ...HEADERS.etag, ...HEADERS.rateLimit }) },
          [400, 403, 404, 412, 413, 415],
        ),
      },
    },
    async (request, reply) => {
      const version = request.body.version
      const result = await llms.restore(actorOf(request), request.params.id, version, preconditions(request.headers))
      reply.header('etag', etagOf(result.llm.version))
      const what = result.changed
        ? `Restored the settings of version ${version} as version ${result.llm.version}`
        : `The LLM holds the settings of version ${version} already; nothing changed`
      const credential = result.credentialDiffers
        ? `; the current credential was kept (version ${version} had a different one)`
        : '; the current credential was kept'
      return { llm: toPublic(result.llm), restoredFrom: version, changed: result.changed, credentialDiffers: result.credentialDiffers, message: `${what}${credential}.` }
    },
  )
}
