/**
 * The upstream check: one request per URL, made by the resolver (exactly what a real call would
 * send), sent through the SSRF-safe client, its answer read and every failure classified.
 */
import type { CheckOptions, CheckProblem, ShownRequest, UpstreamChecker, UrlCheck } from '../domain/checks.js'
import type { LlmFormat, LlmUrl, StoredLlm } from '../domain/llm.js'
import { pickUrl, resolve, type UpstreamRequest } from './resolver.js'
import { BlockedAddressError, type UpstreamHttp } from './safe-http.js'

/** A check asks for a few tokens only. */
export const CHECK_MAX_TOKENS = 16
const REPLY_CHARS = 500
const DETAIL_CHARS = 500

/** Replaces the credential, and anything shaped like one, so no check result ever carries a secret. */
export function scrub(text: string, secret: string): string {
  let clean = secret.length >= 4 ? text.split(secret).join('***') : text
  clean = clean
    .replace(/\b(sk|gsk|xai|sk-ant|sk-proj)[-_][A-Za-z0-9_-]{8,}/g, '***')
    .replace(/\bAIza[0-9A-Za-z_-]{20,}/g, '***')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1***')
  return clean.length > DETAIL_CHARS ? `${clean.slice(0, DETAIL_CHARS)}…` : clean
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

/** The request as a person may see it: the credential replaced by ***, and a curl command that reproduces it. */
export function showRequest(request: UpstreamRequest): ShownRequest {
  const headers = { ...request.headers, [request.credentialHeader]: request.credentialHeader === 'authorization' ? 'Bearer ***' : '***' }
  const parts = ['curl', '-X', request.method, quote(request.url), ...Object.entries(headers).flatMap(([k, v]) => ['-H', quote(`${k}: ${v}`)])]
  if (request.body !== undefined) parts.push('--data-raw', quote(request.body))
  return { method: request.method, url: request.url, headers, curl: parts.join(' ') }
}

interface Failure {
  problem: CheckProblem
  detail: string
  retryAfterSeconds?: number
}

/** The provider's own error, from any of the three wire formats' error shapes. */
function providerError(body: unknown): { type: string; message: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const error = (body as { error?: unknown }).error
  if (error === undefined || error === null) return undefined
  if (typeof error === 'string') return { type: '', message: error }
  const e = error as Record<string, unknown>
  // OpenAI's `code` (rate_limit_exceeded) says more than its `type`; Anthropic has a type, Google a status.
  const type = [e.code, e.type, e.status].find((v) => typeof v === 'string') as string | undefined
  return { type: type ?? '', message: typeof e.message === 'string' ? e.message : JSON.stringify(error) }
}

const QUOTA = /insufficient_quota|quota|billing|credit|spend(ing)? limit|payment/i
const BAD_KEY = /api[ _-]?key (not valid|invalid)|invalid[ _-]api[ _-]?key|API_KEY_INVALID|incorrect api key/i

/** The problem an error type names (OpenAI codes and types, Anthropic types, Google statuses). */
const PROBLEM_OF_TYPE: Record<string, CheckProblem> = {
  invalid_api_key: 'unauthorized',
  authentication_error: 'unauthorized',
  UNAUTHENTICATED: 'unauthorized',
  permission_error: 'forbidden',
  permission_denied: 'forbidden',
  PERMISSION_DENIED: 'forbidden',
  model_not_found: 'model_not_found',
  not_found_error: 'model_not_found',
  NOT_FOUND: 'model_not_found',
  rate_limit_exceeded: 'rate_limited',
  rate_limit_error: 'rate_limited',
  insufficient_quota: 'quota_exceeded',
  overloaded_error: 'overloaded',
  UNAVAILABLE: 'overloaded',
  invalid_request_error: 'bad_request',
  INVALID_ARGUMENT: 'bad_request',
  server_error: 'upstream_error',
  api_error: 'upstream_error',
  INTERNAL: 'upstream_error',
}

function retryAfterOf(headers: Record<string, string>): number | undefined {
  const value = headers['retry-after']
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

/** The problem an HTTP error answer means. */
export function classifyStatus(status: number, bodyText: string, headers: Record<string, string>, secret: string): Failure {
  let parsed: unknown
  try {
    parsed = JSON.parse(bodyText)
  } catch {
    parsed = undefined
  }
  const error = providerError(parsed)
  const message = scrub(error?.message ?? (bodyText.trim() || `HTTP ${status}`), secret)
  const said = `${error?.type ?? ''} ${error?.message ?? bodyText}`
  if (status >= 300 && status < 400) {
    return { problem: 'upstream_error', detail: `the upstream redirects to ${headers.location ?? '(no location)'}; redirects are not followed: store the final URL` }
  }
  if (status === 401 || BAD_KEY.test(said)) return { problem: 'unauthorized', detail: message }
  if (status === 403) return { problem: 'forbidden', detail: message }
  if (status === 404) return { problem: 'model_not_found', detail: message }
  if (status === 402 || (status === 429 && QUOTA.test(said))) return { problem: 'quota_exceeded', detail: message }
  if (status === 429) return { problem: 'rate_limited', detail: message, retryAfterSeconds: retryAfterOf(headers) }
  if (status === 529 || status === 503) return { problem: 'overloaded', detail: message, retryAfterSeconds: retryAfterOf(headers) }
  if (status === 400 || status === 422 || status === 413) return { problem: 'bad_request', detail: message }
  return { problem: 'upstream_error', detail: message }
}

/** The problem an error inside a stream (after a 200) means: classified like the same error with a status. */
function classifyStreamError(error: { type: string; message: string }, secret: string): Failure {
  const said = `${error.type} ${error.message}`
  const byType = PROBLEM_OF_TYPE[error.type]
  const problem: CheckProblem = BAD_KEY.test(said)
    ? 'unauthorized'
    : byType === 'rate_limited' && QUOTA.test(said)
      ? 'quota_exceeded'
      : error.type === 'RESOURCE_EXHAUSTED'
        ? QUOTA.test(said)
          ? 'quota_exceeded'
          : 'rate_limited'
        : (byType ?? 'upstream_error')
  return { problem, detail: scrub(error.message, secret) }
}

function codesOf(error: unknown): string[] {
  const codes: string[] = []
  for (let e = error as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e.code === 'string') codes.push(e.code)
    if (typeof e.name === 'string') codes.push(e.name)
    e = e.cause as typeof e
  }
  return codes
}

const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME_MISMATCH|ALTNAME/

/** The problem a failure without an answer means. */
export function classifyError(error: unknown, secret: string, whileReading: boolean): Failure {
  const codes = codesOf(error)
  const message = scrub(error instanceof Error ? error.message : String(error), secret)
  if (error instanceof BlockedAddressError || codes.includes('EBLOCKED')) return { problem: 'blocked_address', detail: message }
  if (codes.some((c) => TLS.test(c))) return { problem: 'tls', detail: message }
  if (codes.some((c) => ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'TimeoutError', 'AbortError'].includes(c))) {
    return { problem: 'timeout', detail: whileReading ? 'the upstream stopped sending before the reply was complete' : 'connected, but no answer came in time' }
  }
  if (whileReading) return { problem: 'upstream_error', detail: `the connection closed before the reply was complete (${message})` }
  return { problem: 'unreachable', detail: message }
}

/** Server-sent events from a chunked body: each event's name and data. */
async function* events(chunks: AsyncIterable<Buffer>): AsyncIterable<{ event: string; data: string }> {
  const decoder = new TextDecoder()
  let buffer = ''
  const parse = (block: string) => {
    let event = 'message'
    const data: string[] = []
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim()
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
    }
    return { event, data: data.join('\n') }
  }
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: RegExpExecArray | null
    while ((end = /\r?\n\r?\n/.exec(buffer)) !== null) {
      const block = buffer.slice(0, end.index)
      buffer = buffer.slice(end.index + end[0].length)
      if (block.trim() !== '') yield parse(block)
    }
  }
  if (buffer.trim() !== '') yield parse(buffer)
}

interface StreamStep {
  text?: string
  error?: { type: string; message: string }
  done?: boolean
}

/** What one event of a format's stream says. */
function readEvent(format: LlmFormat, event: { event: string; data: string }): StreamStep {
  if (format !== 'anthropic' && event.data === '[DONE]') return { done: true }
  let data: any
  try {
    data = JSON.parse(event.data)
  } catch {
    return {}
  }
  const error = providerError(data)
  if (error !== undefined || event.event === 'error') return { error: error ?? { type: '', message: event.data } }
  if (format === 'anthropic') {
    if (data.type === 'content_block_delta' && typeof data.delta?.text === 'string') return { text: data.delta.text }
    return data.type === 'message_stop' ? { done: true } : {}
  }
  if (format === 'gemini') {
    const parts = data.candidates?.[0]?.content?.parts as { text?: string; thought?: boolean }[] | undefined
    const text = (parts ?? []).filter((p) => !p.thought && typeof p.text === 'string').map((p) => p.text).join('')
    return { text: text === '' ? undefined : text, done: data.candidates?.[0]?.finishReason !== undefined }
  }
  const delta = data.choices?.[0]?.delta?.content
  return { text: typeof delta === 'string' && delta !== '' ? delta : undefined }
}

async function bodyText(chunks: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts).toString('utf8')
}

export class HttpUpstreamChecker implements UpstreamChecker {
  constructor(private readonly http: UpstreamHttp) {}

  async check(llm: StoredLlm, secret: string, options: CheckOptions): Promise<UrlCheck[]> {
    const targets = options.all ? llm.urls : [pickUrl(llm.urls, options.region)].filter((u): u is LlmUrl => u !== undefined)
    if (targets.length === 0) return [await this.one(llm, secret, undefined, options)]
    return Promise.all(targets.map((target) => this.one(llm, secret, target, options)))
  }

  private async one(llm: StoredLlm, secret: string, target: LlmUrl | undefined, options: CheckOptions): Promise<UrlCheck> {
    const base = { url: target?.url ?? null, region: target?.region ?? null }
    // The resolver sees this one URL, so the request is exactly the one a call for its region would send.
    const resolution = resolve({ ...llm, urls: target === undefined ? [] : [target] }, secret, {
      mode: options.mode,
      prompt: options.prompt,
      maxTokens: CHECK_MAX_TOKENS,
      lowestReasoning: true,
    })
    if ('noUpstream' in resolution) return { ...base, ok: false, status: null, latencyMs: null, problem: 'no_upstream', detail: resolution.noUpstream }
    const { request } = resolution
    const shown = showRequest(request)
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const failed = (status: number | null, failure: Failure): UrlCheck => ({ ...base, ok: false, status, latencyMs: elapsed(), ...failure, request: shown })
    let response
    try {
      response = await this.http.send(request)
    } catch (error) {
      return failed(null, classifyError(error, secret, false))
    }
    try {
      if (response.status < 200 || response.status >= 300) {
        return failed(response.status, classifyStatus(response.status, await bodyText(response.chunks), response.headers, secret))
      }
      if (!request.stream) {
        await bodyText(response.chunks)
        return { ...base, ok: true, status: response.status, latencyMs: elapsed(), request: shown }
      }
      let reply = ''
      let firstToken: number | undefined
      let done = llm.llmFormat === 'gemini' // Gemini's stream simply ends; the others say when they are done.
      for await (const event of events(response.chunks)) {
        const step = readEvent(llm.llmFormat, event)
        if (step.error !== undefined) return failed(response.status, classifyStreamError(step.error, secret))
        if (step.text !== undefined) {
          firstToken ??= elapsed()
          if (reply.length < REPLY_CHARS) reply += step.text
        }
        if (step.done) done = true
      }
      if (response.truncated()) return failed(response.status, { problem: 'upstream_error', detail: 'the answer was larger than 1 MiB' })
      if (!done) return failed(response.status, { problem: 'upstream_error', detail: 'the stream ended before the reply was complete' })
      return {
        ...base,
        ok: true,
        status: response.status,
        latencyMs: elapsed(),
        ...(firstToken !== undefined && { timeToFirstTokenMs: firstToken }),
        // A reasoning model may spend a tiny budget thinking and answer nothing: that is a working configuration.
        reply: scrub(reply.slice(0, REPLY_CHARS), secret),
        request: shown,
      }
    } catch (error) {
      return failed(response.status, classifyError(error, secret, true))
    }
  }
}
