/**
 * Request validation, configured on purpose: bodies are never coerced and unknown fields are
 * kept (so they can be named in a 400); query strings and path parameters are text, so they are.
 * Every error is collected (allErrors), and turned into the contract's `details` list.
 */
import { Ajv, type ErrorObject, type Options, type SchemaValidateFunction, type ValidateFunction } from 'ajv'
import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import type { FieldProblem } from '../domain/errors.js'
import type { JsonObject } from '../domain/llm.js'
import { childField } from '../contract/duplicate-members.js'
import { UUID_PATTERN } from '../contract/llms.js'
import { freeTextProblem, metadataProblem, oneLineProblem, upstreamUrlProblem } from '../domain/llm-rules.js'
import { MALFORMED } from './query-string.js'

function ruleKeyword(keyword: string, problem: (value: never) => string | null) {
  const validate: SchemaValidateFunction = (_schema: unknown, data: unknown) => {
    const message = problem(data as never)
    validate.errors = message === null ? undefined : [{ keyword, message, params: {} }]
    return message === null
  }
  return { keyword, errors: true, validate }
}

function makeAjv(options: Options): Ajv {
  // validateSchema: false skips compiling JSON Schema's meta-schema in every instance (~40 ms of each
  // start-up); the schemas are ours, and the OpenAPI tests (Spectral, swagger-parser) check them.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, validateSchema: false, ...options })
  ajv.addKeyword({ ...ruleKeyword('x-upstream-url', upstreamUrlProblem), type: 'string' })
  ajv.addKeyword({ ...ruleKeyword('x-metadata', (v: JsonObject) => metadataProblem(v)), type: 'object' })
  ajv.addKeyword({ ...ruleKeyword('x-one-line', oneLineProblem), type: 'string' })
  ajv.addKeyword({ ...ruleKeyword('x-free-text', freeTextProblem), type: 'string' })
  return ajv
}

/**
 * A Fastify validator compiler with one ajv for bodies and one for query strings and params.
 * `shared` gives the schemas registered with the app (by $id) at the time routes are compiled,
 * so each route module registers its own components and nothing lists them here.
 */
export function validatorCompiler(shared: () => TSchema[]): FastifySchemaCompiler<TSchema> {
  const strict = makeAjv({ coerceTypes: false, useDefaults: false, removeAdditional: false })
  const textual = makeAjv({ coerceTypes: true, useDefaults: true, removeAdditional: false })
  const known = new Set<string>()
  const strictCache = new WeakMap<object, ReturnType<FastifySchemaCompiler<TSchema>>>()
  const textualCache = new WeakMap<object, ReturnType<FastifySchemaCompiler<TSchema>>>()
  return ({ schema, httpPart }) => {
    for (const component of shared()) {
      const id = (component as { $id?: string }).$id
      if (id === undefined || known.has(id)) continue
      known.add(id)
      strict.addSchema(component)
      textual.addSchema(component)
    }
    // One compiled validator a schema object: routes share schemas (the id parameter, the HEAD
    // twin of every GET), and compiling is most of what start-up costs.
    const [ajv, cache] = httpPart === 'body' ? [strict, strictCache] : [textual, textualCache]
    let validate = cache.get(schema)
    if (validate === undefined) {
      validate = ajv.compile(schema) as ReturnType<FastifySchemaCompiler<TSchema>>
      const properties = (schema as { properties?: object }).properties ?? {}
      // An LLM id, in the path or chosen by `POST ?id=`, is a UUID in lower case by the time anything reads it.
      const first = [
        ...(httpPart === 'querystring' || httpPart === 'params' ? [textChecksOf(properties as Record<string, { type?: unknown }>)] : []),
        ...((httpPart === 'querystring' || httpPart === 'params') && 'id' in properties ? [lowerCaseUuid] : []),
      ]
      for (const check of first) validate = checkingFirst(validate as ValidateFunction, check)
      cache.set(schema, validate)
    }
    return validate
  }
}

/** Part of a request as Fastify hands it to a validator. */
type Part = Record<string, unknown> | null

/**
 * `validate` with `first` run before it on the same data: errors `first` returns fail the data,
 * ahead of ajv's for the other fields (a field's first problem is the one reported); it may also
 * rewrite the data, as coercion does.
 */
function checkingFirst(validate: ValidateFunction, first: (data: Part) => ErrorObject[] | undefined): ValidateFunction {
  const wrapped = ((data: Part, context?: Parameters<ValidateFunction>[1]) => {
    const errors = first(data)
    const valid = validate(data, context)
    if (errors === undefined) {
      wrapped.errors = validate.errors
      return valid
    }
    wrapped.errors = [...errors, ...(validate.errors ?? [])]
    return false
  }) as ValidateFunction
  wrapped.schemaEnv = validate.schemaEnv
  return wrapped
}

/**
 * Writes an LLM id (a path's, or `POST ?id=`) that is a UUID in lower case, as every stored one is:
 * UUIDs are case-insensitive (RFC 9562), so `?id=AAAAAAAA-…` keeps `aaaaaaaa-…` and
 * `/v1/llms/AAAAAAAA-…` finds it. Other ids (the built-in defaults') are matched as they are.
 */
function lowerCaseUuid(data: Part): undefined {
  const id = data?.id
  if (typeof id === 'string' && id.length === 36 && UPPER_HEX.test(id) && UUID.test(id)) (data as { id: string }).id = id.toLowerCase()
  return undefined
}

const UPPER_HEX = /[A-F]/
const UUID = new RegExp(UUID_PATTERN)

/**
 * Checks a route's query or path parameters (`properties`) as text, before ajv coerces them:
 * - a query parameter given more than once (`?page=1&page=2` parses to an array, which ajv
 *   would call "must be an integer");
 * - a query value whose percent-escapes are not UTF-8 (`MALFORMED`, see query-string.ts);
 * - an integer written other than in decimal digits: ajv coerces with `Number()`, which reads
 *   `0x10` as 16, `1e1` as 10, and `" 2"`, `+2` and `2.0` as 2 (`?perPage=`, `/versions/{version}`).
 * Parameters the route does not know are ignored, whatever they hold.
 */
function textChecksOf(properties: Record<string, { type?: unknown }>): (data: Part) => ErrorObject[] | undefined {
  const names = Object.keys(properties)
  const integers = new Set(names.filter((name) => properties[name]?.type === 'integer'))
  return (data) => {
    let problems: ErrorObject[] | undefined
    for (const name of names) {
      const value = data?.[name]
      if (value === undefined) continue
      const message = Array.isArray(value)
        ? 'is given more than once'
        : value === MALFORMED
          ? 'is not valid percent-encoding of UTF-8 (write % itself as %25)'
          : integers.has(name) && typeof value === 'string' && !DIGITS.test(value)
            ? 'must be an integer'
            : undefined
      if (message !== undefined) (problems ??= []).push({ keyword: 'queryText', instancePath: `/${name}`, schemaPath: '#', params: {}, message })
    }
    return problems
  }
}

const DIGITS = /^[0-9]+$/

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
}

/** Patterns the contract uses, said in words. */
const PATTERN_MESSAGES: Record<string, string> = {
  '\\S': 'must not be blank',
  [UUID_PATTERN]: 'must be a UUID',
}

function fieldPath(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (child !== undefined) segments.push(child)
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : childField(path, segment)), '')
}

function describe(error: ErrorObject): FieldProblem {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties':
      return { field: fieldPath(error.instancePath, String(params.additionalProperty)), message: 'is not a known field' }
    case 'required':
      return { field: fieldPath(error.instancePath, String(params.missingProperty)), message: 'is required' }
    case 'type': {
      const types = String(params.type).split(',')
      return { field: fieldPath(error.instancePath), message: `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}` }
    }
    case 'enum':
      return {
        field: fieldPath(error.instancePath),
        message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`,
      }
    case 'pattern':
      return { field: fieldPath(error.instancePath), message: PATTERN_MESSAGES[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}` }
    default:
      return { field: fieldPath(error.instancePath), message: error.message ?? 'is invalid' }
  }
}

/** Turns ajv's errors into one problem per offending field, in order. */
export function fieldProblems(errors: ErrorObject[], part: string): FieldProblem[] {
  const seen = new Set<string>()
  const problems: FieldProblem[] = []
  for (const error of errors) {
    const problem = describe(error)
    if (problem.field === '') {
      problem.field = part
      if (error.keyword === 'type' && part === 'body') problem.message = 'must be a JSON object'
    }
    // One problem a field: the first rule it breaks says enough to fix it.
    if (!seen.has(problem.field)) problems.push(problem)
    seen.add(problem.field)
  }
  return problems
}
