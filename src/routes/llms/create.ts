/** POST /v1/llms: a new LLM configuration owned by the key's organization. */
import { Type } from 'typebox'
import { HEADERS, response, v1Responses } from '../../contract/responses.js'
import { CreateLlmBody, CreateLlmQuery } from '../../contract/llms.js'
import { invalidData, type FieldProblem } from '../../domain/errors.js'
import { toPublic } from '../../domain/llm.js'
import { missingOnCreate } from '../../domain/llm-rules.js'
import type { App, RouteDeps } from '../../http/app-types.js'
import { actorOf } from '../../http/auth.js'
import { etagOf } from '../../http/etag.js'
import { fieldProblems } from '../../http/validation.js'

export function registerCreateLlm(app: App, { llms }: RouteDeps): void {
  app.post(
    '/v1/llms',
    {
      config: { permission: 'llms:write' },
      // The schema's own errors are merged with what the format requires (below), so one 400
      // names every missing field at once.
      attachValidation: true,
      schema: {
        tags: ['LLMs'],
        summary: 'create llm',
        description: 'Create an LLM configuration. The secret is stored encrypted and never returned.',
        operationId: 'createLlm',
        querystring: CreateLlmQuery,
        body: CreateLlmBody,
        response: v1Responses(
          { 201: response('Created.', Type.Ref('LLM'), { ...HEADERS.etag, ...HEADERS.location, ...HEADERS.rateLimit }) },
          [400, 403, 409, 413, 415],
        ),
      },
    },
    async (request, reply) => {
      if (request.validationError !== undefined && request.validationError.validationContext !== 'body') throw request.validationError
      if (request.validationError !== undefined) {
        const schemaProblems = fieldProblems((request.validationError.validation ?? []) as never, 'body')
        const body = request.body as unknown
        const missing = body !== null && typeof body === 'object' && !Array.isArray(body) ? missingOnCreate(body as Record<string, unknown>) : []
        throw invalidData(mergeProblems(missing, schemaProblems))
      }
      const llm = await llms.create(actorOf(request), request.body, request.query.id)
      reply.code(201).header('location', `/v1/llms/${encodeURIComponent(llm.id)}`).header('etag', etagOf(llm.version))
      return toPublic(llm)
    },
  )
}

/** One problem a field: the first list wins, the second adds the fields it alone names. */
function mergeProblems(first: FieldProblem[], second: FieldProblem[]): FieldProblem[] {
  const named = new Set(first.map((problem) => problem.field))
  return [...first, ...second.filter((problem) => !named.has(problem.field))]
}
