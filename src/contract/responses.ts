/**
 * The responses of each operation as the OpenAPI document declares them: every status it can
 * answer, with its description and the headers it carries (X-Request-Id everywhere; ETag,
 * Location, RateLimit-* and Retry-After where they are sent). Used by the route modules.
 */
import { Type, type TSchema } from 'typebox'

const integer = (description: string) => Type.Integer({ minimum: 0, description })

export const HEADERS = {
  requestId: { 'X-Request-Id': Type.String({ description: 'The request id (a safe one sent by the caller is kept); it is in the log line.' }) },
  etag: { ETag: Type.String({ description: 'The version of the LLM, e.g. `"3"`: send it back as `If-Match` to change only that version.' }) },
  location: { Location: Type.String({ description: 'The path of the new LLM.' }) },
  rateLimit: {
    'RateLimit-Limit': integer('Requests allowed per minute for this API key.'),
    'RateLimit-Remaining': integer('Requests left in the current window.'),
    'RateLimit-Reset': integer('Seconds until the window resets.'),
  },
  retryAfter: { 'Retry-After': integer('Seconds to wait before trying again.') },
}

/** One response: a body schema (or none), a description, and the headers it carries besides X-Request-Id. */
export function response(description: string, body: TSchema | null, headers: Record<string, TSchema> = {}): TSchema {
  const shape = body ?? Type.Null()
  return Type.Unsafe({ ...shape, description, headers: { ...HEADERS.requestId, ...headers } })
}

const error = (description: string, headers: Record<string, TSchema> = {}) => response(description, Type.Ref('Error'), headers)

/** Every error status, described once. */
export const ERROR_RESPONSES = {
  400: error('Invalid request: `details` names every offending field.', HEADERS.rateLimit),
  401: error('Missing, malformed, unknown or revoked API key (with `WWW-Authenticate: Bearer`).'),
  403: error('The key lacks the permission, or the LLM is a default or owned by another organization.', HEADERS.rateLimit),
  404: error('No such LLM, or one this key may not see.', HEADERS.rateLimit),
  409: error('The id asked for is not available.', HEADERS.rateLimit),
  412: error('`If-Match` does not name the current version; nothing changed.', HEADERS.rateLimit),
  413: error('The body is over 64 KiB.'),
  415: error('The body is not `application/json`.'),
  429: error('Too many requests for this key, or too many failed authentications from this address.', {
    ...HEADERS.rateLimit,
    ...HEADERS.retryAfter,
  }),
  500: error('An unexpected failure; its cause is in the log under the request id.'),
  503: error('The database is unreachable; try again shortly.', HEADERS.retryAfter),
} as const

export type ErrorStatus = keyof typeof ERROR_RESPONSES

/** The errors every authenticated /v1 operation can answer, whatever it does. */
const ALWAYS: ErrorStatus[] = [401, 429, 500, 503]

/** The responses of an authenticated /v1 operation: its own, the errors it names, and those every one can answer. */
export function v1Responses(own: Record<number, TSchema>, errors: ErrorStatus[]): Record<number, TSchema> {
  const all: Record<number, TSchema> = { ...own }
  for (const status of [...errors, ...ALWAYS].sort()) all[status] = ERROR_RESPONSES[status]
  return all
}
