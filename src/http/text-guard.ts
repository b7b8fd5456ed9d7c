/** Refuses text that no backend can store faithfully, before it reaches validation or storage. */
import type { FastifyInstance } from 'fastify'
import { unstorableTextFields } from '../domain/llm-rules.js'
import { invalidPart, type RequestPart } from './request-parts.js'

// Where each validated part lives on Fastify's request.
const PARTS = [
  ['params', 'params'],
  ['querystring', 'query'],
  ['body', 'body'],
] as const satisfies readonly (readonly [RequestPart, string])[]

export function installTextGuard(app: FastifyInstance): void {
  // Synchronous (a `done` callback, not a promise): it runs on every request and waits for nothing.
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [part, property] of PARTS) {
      const problems = unstorableTextFields(request[property])
      if (problems.length > 0) return done(invalidPart(part, problems))
    }
    done()
  })
}
