/**
 * `llm-registry/client`: a typed client of the service, over `openapi-fetch` with types generated
 * from the service's own OpenAPI document (`openapi-types.ts`). Runs in Node 20 and in browsers:
 * nothing here imports a Node module.
 */
import createFetchClient from 'openapi-fetch'
import type { components, operations, paths } from './openapi-types.js'

export type { components, operations, paths }

/**
 * The fields given more than once in one object of a JSON text (`metadata.team`), which the
 * service refuses (400 `malformed_body`): for a program that parses JSON a person wrote before it
 * sends it, since JSON.parse would keep the last silently.
 */
export { duplicateMembers } from '../contract/duplicate-members.js'
export { BEYOND_I_JSON, decimalNumber, numbersBeyondRange } from '../contract/json-numbers.js'
export { jsonSyntaxProblem } from '../contract/json-syntax.js'

export type Llm = components['schemas']['LLM']
export type LlmList = components['schemas']['LlmList']
export type AuditList = components['schemas']['AuditList']
export type PageMeta = components['schemas']['PageMeta']
export type ErrorBody = components['schemas']['Error']
export type ErrorCode = ErrorBody['code']
export type CreateLlmBody = operations['createLlm']['requestBody']['content']['application/json']
export type UpdateLlmBody = operations['updateLlm']['requestBody']['content']['application/json']
export type ListQuery = NonNullable<operations['listLlms']['parameters']['query']>
export type PageQuery = NonNullable<operations['getLlmHistory']['parameters']['query']>
export type VersionList = components['schemas']['VersionList']
export type LlmVersion = components['schemas']['LlmVersion']
export type VersionDiff = components['schemas']['VersionDiff']
export type RestoreResult = components['schemas']['RestoreResult']
export type CheckResult = components['schemas']['CheckResult']
export type UrlCheck = components['schemas']['UrlCheck']
export type CheckBody = operations['checkLlm']['requestBody']['content']['application/json']
export type CheckProblem = NonNullable<UrlCheck['problem']>

/** Each check problem in a sentence a person understands (the CLI and the console show these). */
export const PROBLEM_EXPLANATIONS: Record<CheckProblem, string> = {
  unreachable: 'Nothing answered at this URL: check the host name and port, or whether the provider is down.',
  tls: "The provider's certificate was refused (self-signed, expired or for another name).",
  timeout: 'The provider accepted the connection but did not answer in time.',
  unauthorized: 'The provider rejected the stored key: replace the secret.',
  forbidden: 'The key is valid, but it may not use this model or resource.',
  model_not_found: 'The provider does not serve this model (or this Azure deployment): check the model name.',
  rate_limited: 'The provider is limiting requests for this key right now; try again after the wait it gave.',
  quota_exceeded: "The account's quota or spend limit is used up: retrying will not help until it is raised.",
  overloaded: 'The provider is overloaded; try again shortly.',
  bad_request: 'The provider refused the parameters this configuration sends (see its message).',
  upstream_error: 'The provider failed (a server error, a redirect, or an answer cut short).',
  blocked_address: 'This URL points at a private, loopback or metadata address, which the service does not call.',
  no_upstream: 'This format has no upstream to call.',
}

/** An error the service answered: every field of its error body, and the response's request id. */
export class ApiError extends Error {
  readonly statusCode: number
  readonly error: string
  readonly code: ErrorCode | undefined
  readonly details: { field: string; message: string }[] | undefined
  readonly requestId: string | undefined

  constructor(status: number, body: Partial<ErrorBody> | undefined, requestId: string | null) {
    super(body?.message ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.statusCode = body?.statusCode ?? status
    this.error = body?.error ?? ''
    this.code = body?.code
    this.details = body?.details
    this.requestId = body?.requestId ?? requestId ?? undefined
  }
}

/** The server could not be reached at all (refused, DNS, reset): nothing was answered. */
export class ConnectionError extends Error {
  constructor(baseUrl: string, cause: unknown) {
    super(`cannot reach ${baseUrl}: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`)
    this.name = 'ConnectionError'
  }
}

export interface RetryOptions {
  /** Tries in all, the first included (default 3; 1 turns retrying off). */
  attempts?: number
  /** The longest wait between two tries, whatever Retry-After says (default 10 s). */
  maxDelayMs?: number
  /** Also retry POST (which may create twice if the first try was served); off by default. */
  nonIdempotent?: boolean
}

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  baseUrl: string
  apiKey: string
  /** A fetch of your own (tests, proxies); the global one by default. */
  fetch?: (request: Request) => Promise<Response>
  /** Retries of 429 and 503, honouring Retry-After. */
  retry?: RetryOptions
}

/** A record with the version it was read at: send `etag` back as `ifMatch` to change only that version. */
export interface Versioned<T> {
  data: T
  etag: string
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

function delayOf(response: Response, attempt: number, maxDelayMs: number): number {
  const header = response.headers.get('retry-after')
  const seconds = header === null ? NaN : Number(header)
  const wanted = Number.isFinite(seconds) ? seconds * 1000 : 250 * 2 ** attempt
  return Math.min(Math.max(0, wanted), maxDelayMs)
}

/** A fetch that retries 429 and 503 as the options say, and turns a failure to connect into ConnectionError. */
function retryingFetch(options: ClientOptions): (request: Request) => Promise<Response> {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request))
  const attempts = Math.max(1, options.retry?.attempts ?? 3)
  const maxDelayMs = options.retry?.maxDelayMs ?? 10_000
  return async (request) => {
    const retryable = IDEMPOTENT.has(request.method) || options.retry?.nonIdempotent === true
    for (let attempt = 0; ; attempt++) {
      const last = !retryable || attempt + 1 >= attempts
      let response: Response
      try {
        response = await send(last ? request : request.clone())
      } catch (error) {
        throw new ConnectionError(options.baseUrl, error)
      }
      if (last || (response.status !== 429 && response.status !== 503)) return response
      await response.body?.cancel()
      await new Promise((resolve) => setTimeout(resolve, delayOf(response, attempt, maxDelayMs)))
    }
  }
}

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

function unwrap<T>(answer: Answer<T>): T {
  if (answer.error !== undefined || !answer.response.ok) {
    throw new ApiError(answer.response.status, answer.error as Partial<ErrorBody> | undefined, answer.response.headers.get('x-request-id'))
  }
  return answer.data as T
}

function versioned<T>(answer: Answer<T>): Versioned<T> {
  return { data: unwrap(answer), etag: answer.response.headers.get('etag') ?? '' }
}

/**
 * The preconditions of a write, sent as If-Match and If-None-Match: with `ifMatch`, only if the
 * LLM is still at that ETag; with `ifNoneMatch`, only if it is not (`*`: only if it does not
 * exist). Otherwise ApiError 412 and nothing changes.
 */
export interface Preconditions {
  ifMatch?: string
  ifNoneMatch?: string
}

function preconditionHeaders(opts: Preconditions): { 'if-match'?: string; 'if-none-match'?: string } {
  return {
    ...(opts.ifMatch !== undefined && { 'if-match': opts.ifMatch }),
    ...(opts.ifNoneMatch !== undefined && { 'if-none-match': opts.ifNoneMatch }),
  }
}

/** Creates a client; every method throws ApiError for an error answer and ConnectionError when nothing answered. */
export function createClient(options: ClientOptions) {
  const http = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: retryingFetch(options),
    headers: { authorization: `Bearer ${options.apiKey}` },
  })

  const llms = {
    /** One page of the LLMs the key's organization sees (its own and the global ones), newest first. */
    async list(query: ListQuery = {}): Promise<LlmList> {
      return unwrap(await http.GET('/v1/llms', { params: { query } }))
    },

    /** Every LLM the query matches, walking all pages. */
    async listAll(query: Omit<ListQuery, 'page' | 'perPage'> = {}): Promise<Llm[]> {
      const all: Llm[] = []
      for (let page = 1; ; page++) {
        const { data, meta } = await llms.list({ ...query, page, perPage: 100 })
        all.push(...data)
        if (meta.next === null) return all
      }
    },

    /** One LLM and its ETag. */
    async get(id: string): Promise<Versioned<Llm>> {
      return versioned(await http.GET('/v1/llms/{id}', { params: { path: { id } } }))
    },

    /** Creates an LLM; `id` (a UUID) keeps that id, else the service makes one. */
    async create(body: CreateLlmBody, opts: { id?: string } = {}): Promise<Versioned<Llm>> {
      const query = opts.id === undefined ? {} : { id: opts.id }
      return versioned(await http.POST('/v1/llms', { params: { query }, body }))
    },

    /** Changes only the fields in `body`; with `ifMatch`, only if the LLM is still at that ETag (else ApiError 412; see Preconditions). */
    async update(id: string, body: UpdateLlmBody, opts: Preconditions = {}): Promise<Versioned<Llm>> {
      const header = preconditionHeaders(opts)
      return versioned(await http.PUT('/v1/llms/{id}', { params: { path: { id }, header }, body }))
    },

    /** Deletes an LLM; with `ifMatch`, only if it is still at that ETag (see Preconditions). */
    async delete(id: string, opts: Preconditions = {}): Promise<void> {
      const header = preconditionHeaders(opts)
      unwrap(await http.DELETE('/v1/llms/{id}', { params: { path: { id }, header } }))
    },

    /** One page of an LLM's kept versions, newest first. */
    async versions(id: string, query: PageQuery = {}): Promise<VersionList> {
      return unwrap(await http.GET('/v1/llms/{id}/versions', { params: { path: { id }, query } }))
    },

    /** The LLM as it was at one kept version. */
    async version(id: string, version: number): Promise<LlmVersion> {
      return unwrap(await http.GET('/v1/llms/{id}/versions/{version}', { params: { path: { id, version } } }))
    },

    /** What differs between two kept versions. */
    async diff(id: string, from: number, to: number): Promise<VersionDiff> {
      return unwrap(await http.GET('/v1/llms/{id}/versions/{from}/diff/{to}', { params: { path: { id, from, to } } }))
    },

    /** Makes a kept version's settings the LLM's again (a new version); the current credential is kept. Preconditions as for update. */
    async restore(id: string, version: number, opts: Preconditions = {}): Promise<Versioned<RestoreResult>> {
      const header = preconditionHeaders(opts)
      return versioned(await http.POST('/v1/llms/{id}/restore', { params: { path: { id }, header }, body: { version } }))
    },

    /** Calls the LLM's upstream and says whether it answers (and why not); spends the credential, so never retried. */
    async check(id: string, body: CheckBody = {}): Promise<CheckResult> {
      return unwrap(await http.POST('/v1/llms/{id}/check', { params: { path: { id } }, body }))
    },

    /** The last check of an LLM, without calling anything. */
    async lastCheck(id: string): Promise<CheckResult> {
      return unwrap(await http.GET('/v1/llms/{id}/check', { params: { path: { id } } }))
    },

    /** One page of an LLM's audit trail, newest first. */
    async history(id: string, query: PageQuery = {}): Promise<AuditList> {
      return unwrap(await http.GET('/v1/llms/{id}/history', { params: { path: { id }, query } }))
    },
  }

  return { llms, http }
}

export type Client = ReturnType<typeof createClient>
