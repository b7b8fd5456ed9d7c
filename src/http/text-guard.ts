/** Refuses text that no backend can store faithfully, before it reaches validation or storage. */
import type { FastifyInstance } from 'fastify'
import { invalidData } from '../domain/errors.js'
import { unstorableTextFields } from '../domain/llm-rules.js'

const PARTS = [
  ['params', 'Invalid path parameters'],
  ['query', 'Invalid query parameters'],
  ['body', 'Invalid LLM data'],
] as const

export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [part, message] of PARTS) {
      const problems = unstorableTextFields(request[part])
      if (problems.length > 0) throw invalidData(problems, message)
    }
  })
}
