/** The parts of a request that are validated, each with the message and code of its 400. */
import { AppError, type ErrorCode, type FieldProblem } from '../domain/errors.js'

export type RequestPart = 'body' | 'querystring' | 'params' | 'headers'

const PARTS: Record<RequestPart, { code: ErrorCode; message: string }> = {
  body: { code: 'invalid_data', message: 'Invalid LLM data' },
  querystring: { code: 'invalid_query', message: 'Invalid query parameters' },
  params: { code: 'invalid_path', message: 'Invalid path parameters' },
  headers: { code: 'bad_request', message: 'Invalid headers' },
}

/** The 400 for problems found in one part of a request. */
export function invalidPart(part: RequestPart, details: FieldProblem[]): AppError {
  const { code, message } = PARTS[part] ?? PARTS.body
  return new AppError(code, message, details)
}
