/**
 * The one body parser: JSON only, uncompressed, valid UTF-8 only, each object's members named
 * once, nested at most BODY_DEPTH_MAX levels, numbers within ±(2^53 − 1) (I-JSON, RFC 7493;
 * json-numbers.ts). Fastify's default decodes bytes leniently (an invalid sequence silently
 * becomes U+FFFD, so the stored value would differ from what was sent), keeps the last of a
 * member given twice, reads 1e400 as Infinity (stored as null), and its error messages quote the
 * input; this one refuses all of them.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../domain/errors.js'
import { duplicateMembers, shapeOf } from '../contract/duplicate-members.js'
import { BEYOND_I_JSON, numbersBeyondRange } from '../contract/json-numbers.js'
import { jsonSyntaxProblem } from '../contract/json-syntax.js'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/**
 * How deeply a body's arrays and objects may nest: every body the API takes is at most a dozen
 * levels deep (metadata, the deepest part, at most 10: LIMITS.metadataDepth). 64 KiB of `[` is
 * 65,536 levels, which JSON.parse reads, but every walk of the value after it (the text guard,
 * validation, metadata's own rules) would recurse that deep and overflow the stack: a 500.
 */
const BODY_DEPTH_MAX = 32

/** No Content-Encoding, or only `identity`. */
function identityCoded(coding: string | undefined): boolean {
  return coding === undefined || coding.split(',').every((part) => part.trim().toLowerCase() === 'identity' || part.trim() === '')
}

export function installJsonBodyParser(app: FastifyInstance): void {
  // A request without a body is served as if it had no Content-Type: clients (older openapi-fetch,
  // hey-api, many wrappers) send `Content-Type: application/json` on every DELETE and GET. A body
  // on DELETE is refused rather than ignored.
  app.addHook('onRequest', (request, _reply, done) => {
    const headers = request.raw.headers
    const length = headers['content-length']
    const hasBody = headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
    if (!hasBody) delete headers['content-type']
    else if (request.method === 'DELETE' && !request.is404) {
      done(new AppError('bad_request', 'DELETE takes no request body'))
      return
    }
    done()
  })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    // A compressed body would be read as bytes that are not JSON (or, mislabelled, stored as
    // something it says it is not): 415, and its answer names the coding taken (errors.ts).
    if (!identityCoded(request.headers['content-encoding'])) {
      done(new AppError('unsupported_media_type', 'Request bodies are taken uncompressed: send it without Content-Encoding'), undefined)
      return
    }
    if (body.length === 0) {
      done(new AppError('malformed_body', 'Request body is empty; send a JSON object'), undefined)
      return
    }
    let text: string
    try {
      text = strictUtf8.decode(body)
    } catch {
      done(new AppError('malformed_body', 'Request body is not valid UTF-8'), undefined)
      return
    }
    let value: unknown
    try {
      // JSON.parse makes `__proto__` an own, plain property: it never reaches a prototype.
      value = JSON.parse(text)
    } catch (error) {
      const problem = jsonSyntaxProblem(error, text)
      done(new AppError('malformed_body', problem === undefined ? 'Malformed JSON body' : `Malformed JSON body: ${problem}`), undefined)
      return
    }
    const shape = shapeOf(text)
    if (shape.depth > BODY_DEPTH_MAX) {
      done(new AppError('malformed_body', `Request body nests arrays and objects more than ${BODY_DEPTH_MAX} levels deep`), undefined)
      return
    }
    const twice = duplicateMembers(text, value, shape)
    if (twice.length > 0) {
      const details = twice.map((field) => ({ field, message: 'is given more than once' }))
      done(new AppError('malformed_body', 'Request body gives a field more than once in one object', details), undefined)
      return
    }
    const beyond = numbersBeyondRange(value)
    if (beyond.length > 0) {
      const details = beyond.map((field) => ({ field: field === '' ? 'body' : field, message: BEYOND_I_JSON }))
      done(new AppError('malformed_body', 'Request body holds a number that cannot be kept as written', details), undefined)
      return
    }
    done(null, value)
  })
}
