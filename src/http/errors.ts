/** Turns every failure into the contract's JSON error body, with the right status and code. */
import { randomUUID } from 'node:crypto'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorBody } from '../contract/errors.js'
import { AppError, type ErrorCode, type FieldProblem } from '../domain/errors.js'
import { LIMITS } from '../domain/llm-rules.js'
import { isDatabaseUnavailable } from '../storage/errors.js'
import { invalidPart, type RequestPart } from './request-parts.js'
import { fieldProblems } from './validation.js'

/** The status of every code: exhaustive, so a new code cannot go out without one. */
export const STATUS_OF: Record<ErrorCode, number> = {
  invalid_data: 400,
  invalid_query: 400,
  invalid_path: 400,
  malformed_body: 400,
  bad_request: 400,
  unauthenticated: 401,
  permission_denied: 403,
  default_llm_readonly: 403,
  not_owner: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  id_not_available: 409,
  no_credential: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  server_error: 500,
  database_unavailable: 503,
}

/** Fastify's own client errors, with messages that say what to fix and echo nothing back (body parsing errors come from json-body.ts). */
const FASTIFY_ERRORS: Record<string, AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: new AppError('payload_too_large', `Request body is larger than the limit of ${LIMITS.bodyBytes} bytes`),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: new AppError('unsupported_media_type', 'Content-Type must be application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: new AppError('bad_request', 'Content-Length does not match the body'),
  FST_ERR_CTP_INVALID_TYPE: new AppError('bad_request', 'Invalid Content-Type header'),
  FST_ERR_BAD_URL: new AppError('bad_request', 'The URL path has a percent-escape that is not UTF-8 (write % itself as %25)'),
}

/** The error body of the contract for this request. */
export function errorBody(requestId: string, code: ErrorCode, message: string, details?: FieldProblem[]): ErrorBody {
  const statusCode = STATUS_OF[code]
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code,
    message,
    requestId,
    ...(details !== undefined && { details }),
  }
}

function classify(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error
  const fastifyError = error as FastifyError
  if (fastifyError.validation !== undefined) {
    const part = (fastifyError.validationContext ?? 'body') as RequestPart
    return invalidPart(part, fieldProblems(fastifyError.validation as never, part))
  }
  const known = fastifyError.code === undefined ? undefined : FASTIFY_ERRORS[fastifyError.code]
  if (known !== undefined) return known
  if (isDatabaseUnavailable(error)) return new AppError('database_unavailable', 'Database unavailable, try again shortly')
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) return new AppError('bad_request', STATUS_CODES[status] ?? 'Bad request')
  return new AppError('server_error', 'Server error')
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route runs (a path whose
 * percent-escapes are not UTF-8), answered as every other error is, with the request id, instead
 * of Fastify's own body, which echoes the URL and has no `code`. No hook has run for it, so the
 * request id header is set here.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('x-request-id', request.id)
  return sendError(request, reply, classify(error))
}

/** What a connection that never became a request is told, by Node's code for why. */
const CLIENT_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', message: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', message: `The request line and headers are larger than ${maxHeaderSize} bytes` },
}
const NOT_HTTP = { code: 'bad_request', message: 'The request is not valid HTTP/1.1' } as const

/**
 * Fastify's `clientErrorHandler`: a connection whose request Node's parser refused (not HTTP, headers
 * over its limit) or that did not finish in time gets the contract's error body, with a request id
 * that its log line carries, and is closed, as Node and Fastify do.
 */
export function clientErrorHandler(logger: FastifyBaseLogger): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    const { code, message } = CLIENT_ERRORS[error.code ?? ''] ?? NOT_HTTP
    const requestId = randomUUID()
    const answer = errorBody(requestId, code, message)
    const { statusCode, error: reason } = answer
    logger.info({ reqId: requestId, statusCode, code, reason: error.code }, 'request refused before it was read')
    if (socket.writable) {
      const body = JSON.stringify(answer)
      socket.write(
        `HTTP/1.1 ${statusCode} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
      )
    }
    socket.destroy(error)
  }
}

/** Sends an AppError as the contract's error body. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const status = STATUS_OF[error.code]
  if (status === 401) reply.header('www-authenticate', 'Bearer')
  if (status === 503) reply.header('retry-after', '1')
  // The one content coding a request body may have (RFC 7694).
  if (status === 415) reply.header('accept-encoding', 'identity')
  return reply.code(status).type('application/json').send(errorBody(String(request.id), error.code, error.message, error.details))
}

/**
 * Installs the error and not-found handlers on the app. `methodsOf` tells which methods a path
 * is served with: a known path asked with another method answers 405 with `Allow`, not 404.
 */
export function installErrorHandlers(app: FastifyInstance, methodsOf: (path: string) => string[]): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const classified = classify(error)
    if (STATUS_OF[classified.code] >= 500) request.log.error({ err: error }, 'request failed')
    return sendError(request, reply, classified)
  })
  app.setNotFoundHandler((request, reply) => {
    const allowed = methodsOf(request.url.split('?')[0] ?? '')
    // A route that serves this method and found nothing (a static file under /docs/static/*) is a 404 too.
    if (allowed.length === 0 || allowed.includes(request.method)) return sendError(request, reply, new AppError('route_not_found', 'Route not found'))
    reply.header('allow', allowed.join(', '))
    return sendError(request, reply, new AppError('method_not_allowed', `${request.method} is not allowed here; use ${allowed.join(', ')}`))
  })
}
