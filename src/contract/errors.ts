/** The one JSON body of every error (docs/contract.md, "Errors"), as a named component. */
import { Type, type Static } from 'typebox'
import { ERROR_CODES } from '../domain/errors.js'
import { enumOf } from './schema-helpers.js'

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer({ description: 'The HTTP status, repeated.', examples: [400] }),
    error: Type.String({ description: 'The HTTP reason phrase.', examples: ['Bad Request'] }),
    code: enumOf(ERROR_CODES, 'A stable, machine-readable code: branch on this, not on `message`.'),
    message: Type.String({ description: 'What went wrong, for people.', examples: ['Invalid LLM data'] }),
    requestId: Type.String({ description: 'The `X-Request-Id` of this request, for the logs.' }),
    details: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ examples: ['temperature'] }),
          message: Type.String({ examples: ['must be <= 2'] }),
        }),
        { description: 'On 400s about data: every offending field, one problem each.' },
      ),
    ),
  },
  { $id: 'Error', description: 'An error. Never HTML, never a stack trace.' },
)
export type ErrorBody = Static<typeof ErrorBody>
