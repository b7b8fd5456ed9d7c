/** One error class for everything the service refuses, with a closed set of codes. */

/**
 * Every machine-readable error code an error body can carry (docs/contract.md, "Errors"). A
 * program branches on `code`; `message` is for people and may be reworded.
 */
export const ERROR_CODES = [
  'invalid_data',
  'invalid_query',
  'invalid_path',
  'malformed_body',
  'bad_request',
  'unauthenticated',
  'permission_denied',
  'default_llm_readonly',
  'not_owner',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'request_timeout',
  'id_not_available',
  'no_credential',
  'precondition_failed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'headers_too_large',
  'server_error',
  'database_unavailable',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface FieldProblem {
  field: string
  message: string
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: FieldProblem[] | undefined

  constructor(code: ErrorCode, message: string, details?: FieldProblem[]) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
}

/** The rejected-data error of the contract, listing every offending field. */
export function invalidData(details: FieldProblem[], message = 'Invalid LLM data'): AppError {
  return new AppError('invalid_data', message, details)
}
