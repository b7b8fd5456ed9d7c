/** Turns every failure into the contract's JSON error body, with the right status. */
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode, type FieldProblem } from '../domain/errors.js'
import { isDatabaseUnavailable } from '../storage/errors.js'
import { fieldProblems } from './validation.js'

const STATUS: Record<ErrorCode, number> = {
  invalid_data: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
}

/** Fastify's own client errors, with messages that say what to fix and echo nothing back (body parsing errors come from json-body.ts). */
const FASTIFY_ERRORS: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'Request body is larger than the limit of 65536 bytes'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'Content-Type must be application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'Content-Length does not match the body'],
  FST_ERR_CTP_INVALID_TYPE: [400, 'Invalid Content-Type header'],
  FST_ERR_BAD_URL: [400, 'Malformed URL'],
}

const PART_MESSAGES: Record<string, string> = {
  body: 'Invalid LLM data',
  querystring: 'Invalid query parameters',
  params: 'Invalid path parameters',
  headers: 'Invalid headers',
}

export function errorBody(statusCode: number, message: string, details?: FieldProblem[]) {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(details !== undefined && { details }),
  }
}

function classify(error: FastifyError | Error): { status: number; message: string; details?: FieldProblem[] } {
  if (error instanceof AppError) return { status: STATUS[error.code], message: error.message, details: error.details }
  const fastifyError = error as FastifyError
  if (fastifyError.validation !== undefined) {
    const part = fastifyError.validationContext ?? 'body'
    return {
      status: 400,
      message: PART_MESSAGES[part] ?? 'Invalid request',
      details: fieldProblems(fastifyError.validation as never, part),
    }
  }
  const known = fastifyError.code === undefined ? undefined : FASTIFY_ERRORS[fastifyError.code]
  if (known !== undefined) return { status: known[0], message: known[1] }
  if (isDatabaseUnavailable(error)) return { status: 503, message: 'Database unavailable, try again shortly' }
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) return { status, message: STATUS_CODES[status] ?? 'Bad request' }
  return { status: 500, message: 'Server error' }
}

/** Installs the error and not-found handlers on the app. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, message, details } = classify(error)
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
    } else if (status === 401) {
      reply.header('www-authenticate', 'Bearer')
    }
    if (status === 503) reply.header('retry-after', '1')
    return reply.code(status).type('application/json').send(errorBody(status, message, details))
  })
  app.setNotFoundHandler((_request, reply) => {
    return reply.code(404).type('application/json').send(errorBody(404, 'Route not found'))
  })
}
