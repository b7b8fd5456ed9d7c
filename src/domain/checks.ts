/** Checking a configuration against its upstream: what a check asks, what it finds, and the ports it needs. */
import type { StoredLlm } from './llm.js'

/** Why a check failed, in a form a program can act on (docs/upstream.md says what each means). */
export const CHECK_PROBLEMS = [
  'unreachable',
  'tls',
  'timeout',
  'unauthorized',
  'forbidden',
  'model_not_found',
  'rate_limited',
  'quota_exceeded',
  'overloaded',
  'bad_request',
  'upstream_error',
  'blocked_address',
  'no_upstream',
] as const
export type CheckProblem = (typeof CHECK_PROBLEMS)[number]

export interface CheckOptions {
  /** The region whose URL is checked (when not `all`). */
  region?: string
  /** Every URL, concurrently. */
  all: boolean
  /** `model` costs nothing where the format can ask about its model; `completion` generates a few tokens. */
  mode: 'model' | 'completion'
  prompt: string
}

/** The request a check sent, with the credential replaced by ***, and the same as a curl command. */
export interface ShownRequest {
  method: string
  url: string
  headers: Record<string, string>
  curl: string
}

export interface UrlCheck {
  url: string | null
  region: string | null
  ok: boolean
  /** The upstream's HTTP status, or null when none answered. */
  status: number | null
  latencyMs: number | null
  timeToFirstTokenMs?: number
  /** The first 500 characters of the model's answer (completion mode). */
  reply?: string
  problem?: CheckProblem
  /** The provider's own message, trimmed, with anything like a credential scrubbed. */
  detail?: string
  retryAfterSeconds?: number
  request?: ShownRequest
}

export interface CheckResult {
  llmId: string
  checkedAt: string
  ok: boolean
  mode: CheckOptions['mode']
  results: UrlCheck[]
}

/** Calls the upstream of a configuration, through the same resolver a real call uses. */
export interface UpstreamChecker {
  check(llm: StoredLlm, secret: string, options: CheckOptions): Promise<UrlCheck[]>
}

/** Keeps each LLM's last check. */
export interface CheckStore {
  saveCheck(result: CheckResult): Promise<void>
  lastCheck(llmId: string): Promise<CheckResult | undefined>
}
