/** The one JSON body of every error (contract section 6), as a named component. */
import { Type } from 'typebox'

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer({ examples: [400] }),
    error: Type.String({ description: 'The HTTP reason phrase.', examples: ['Bad Request'] }),
    message: Type.String({ examples: ['Invalid LLM data'] }),
    details: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ examples: ['temperature'] }),
          message: Type.String({ examples: ['must be <= 2'] }),
        }),
        { description: 'On 400s: every offending field.' },
      ),
    ),
  },
  { $id: 'Error', description: 'An error. Never HTML, never a stack trace.' },
)
