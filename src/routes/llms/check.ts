/** POST /v1/llms/{id}/check and GET /v1/llms/{id}/check: call the upstream as a persona would, and the last result. */
import { Type } from 'typebox'
import { CheckBody, LlmIdParams } from '../../contract/llms.js'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'

/** A completion check's prompt when none is given. */
export const DEFAULT_PROMPT = 'Say hello in one word.'

export function registerCheckLlm(app: App, { checks, limiter, metrics }: RouteDeps): void {
  app.post(
    '/v1/llms/:id/check',
    {
      config: { permission: 'llms:write' },
      // Every field is optional, so no body at all means the defaults.
      preValidation: (request, _reply, done) => {
        request.body ??= {}
        done()
      },
      schema: {
        tags: ['LLMs'],
        summary: 'check llm',
        description:
          'Calls the upstream with this configuration, through the same resolver a real call uses, and says whether it ' +
          'answers and, if not, why (`problem`). Only your organization\'s own LLMs (it spends your credential); ' +
          '409 `no_credential` when the format needs one and none is stored. Limited to CHECKS_PER_MINUTE per key.',
        operationId: 'checkLlm',
        params: LlmIdParams,
        body: CheckBody,
        response: v1Responses(
          { 200: response('The check ran (see `ok` and each result).', Type.Ref('CheckResult'), HEADERS.rateLimit) },
          [400, 403, 404, 409, 413, 415],
        ),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      await limiter.checkUpstreamCheck(actor.keyId, reply)
      const body = request.body
      const result = await checks.check(actor, request.params.id, {
        region: body.region,
        all: body.all ?? false,
        mode: body.mode ?? 'model',
        prompt: body.prompt ?? DEFAULT_PROMPT,
      })
      for (const url of result.results) metrics?.checks.inc({ outcome: url.problem ?? 'ok' })
      return result
    },
  )

  app.get(
    '/v1/llms/:id/check',
    {
      config: { permission: 'llms:read' },
      schema: {
        tags: ['LLMs'],
        summary: 'last check of llm',
        description: 'The last check of this LLM, without spending anything again; 404 before the first check.',
        operationId: 'getLlmCheck',
        params: LlmIdParams,
        response: v1Responses({ 200: response('The last check.', Type.Ref('CheckResult'), HEADERS.rateLimit) }, [400, 403, 404]),
      },
    },
    async (request) => checks.last(actorOf(request), request.params.id),
  )
}
