/** One error class for everything the service refuses, with a closed set of codes. */

export type ErrorCode =
  | 'invalid_data'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'

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

/** The rejected-data error of the contract (section 6), listing every offending field. */
export function invalidData(details: FieldProblem[], message = 'Invalid LLM data'): AppError {
  return new AppError('invalid_data', message, details)
}
