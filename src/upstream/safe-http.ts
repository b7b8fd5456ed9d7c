/**
 * Outbound HTTP to LLM providers, safe against server-side request forgery: https only (http
 * only with private upstreams allowed), every address a name resolves to checked at connect
 * time (a name that resolves, or re-resolves, to a refused address never gets a connection),
 * redirects never followed, bodies read up to a limit, connect and total timeouts.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { Agent, request } from 'undici'
import { blockedReason } from './addresses.js'
import type { UpstreamRequest } from './resolver.js'

export interface UpstreamLimits {
  /** http: URLs and loopback/private addresses (ALLOW_PRIVATE_UPSTREAMS). */
  allowPrivate: boolean
  connectTimeoutMs: number
  totalTimeoutMs: number
  maxBodyBytes: number
}

export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = {
  allowPrivate: false,
  connectTimeoutMs: 5_000,
  totalTimeoutMs: 20_000,
  maxBodyBytes: 1024 * 1024,
}

/** The connection was refused before it was made: the address is not one this service connects to. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED'
}

/** A DNS lookup that refuses, at connect time, a name any of whose addresses is refused. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0)
      for (const { address } of addresses) {
        const reason = blockedReason(address, allowPrivate)
        if (reason !== undefined) return callback(new BlockedAddressError(`${hostname} resolves to ${reason}`), '', 0)
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      const first = addresses[0]
      if (first === undefined) return callback(new Error(`${hostname} has no address`), '', 0)
      return callback(null, first.address, first.family)
    })
  }
}

export interface UpstreamResponse {
  status: number
  headers: Record<string, string>
  /** The body's chunks, stopping at the byte limit (then `truncated`). */
  chunks: AsyncIterable<Buffer>
  truncated: () => boolean
}

export interface UpstreamHttp {
  send(request: UpstreamRequest): Promise<UpstreamResponse>
  close(): Promise<void>
}

/** Why a URL may not be fetched before any connection is tried, or undefined. */
export function urlProblem(target: string, allowPrivate: boolean): string | undefined {
  const url = new URL(target)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivate)) {
    return `${url.protocol} URLs are not called (https only; http needs ALLOW_PRIVATE_UPSTREAMS=true)`
  }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return isIP(host) === 0 ? undefined : blockedReason(host, allowPrivate)
}

export function createUpstreamHttp(limits: UpstreamLimits = DEFAULT_UPSTREAM_LIMITS): UpstreamHttp {
  const agent = new Agent({
    connect: { timeout: limits.connectTimeoutMs, lookup: guardedLookup(limits.allowPrivate) },
    headersTimeout: limits.totalTimeoutMs,
    bodyTimeout: limits.totalTimeoutMs,
  })
  return {
    async send(upstream) {
      const problem = urlProblem(upstream.url, limits.allowPrivate)
      if (problem !== undefined) throw new BlockedAddressError(problem)
      const answer = await request(upstream.url, {
        dispatcher: agent,
        method: upstream.method,
        headers: upstream.headers,
        body: upstream.body,
        signal: AbortSignal.timeout(limits.totalTimeoutMs),
      })
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) headers[name] = String(value)
      let read = 0
      let truncated = false
      async function* chunks(): AsyncIterable<Buffer> {
        for await (const chunk of answer.body) {
          const buffer = chunk as Buffer
          read += buffer.length
          if (read > limits.maxBodyBytes) {
            truncated = true
            answer.body.destroy()
            return
          }
          yield buffer
        }
      }
      return { status: answer.statusCode, headers, chunks: chunks(), truncated: () => truncated }
    },
    close: () => agent.close(),
  }
}
