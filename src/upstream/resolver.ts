/**
 * The resolver: a stored LLM configuration, its opened credential and a call, turned into the
 * exact upstream HTTP request of its wire format (docs/upstream.md). It knows nothing of HTTP
 * servers or of how the request is sent; the check and any real call go through it alike.
 */
import type { LlmSettings, LlmUrl, ReasoningEffort } from '../domain/llm.js'

/** What the resolver reads of an LLM. */
export type ResolvableLlm = Pick<
  LlmSettings,
  'llmFormat' | 'urls' | 'modelName' | 'temperature' | 'maxTokens' | 'deploymentName' | 'apiVersion' | 'reasoningEffort'
>

export interface Call {
  /** `model` asks about the model (costs nothing) where the format can; `completion` generates. */
  mode: 'model' | 'completion'
  prompt: string
  /** Overrides the stored maxTokens (a check asks for a few tokens only). */
  maxTokens?: number
  /** A check asks for the lowest reasoning effort the format allows. */
  lowestReasoning?: boolean
}

export interface UpstreamRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  /** JSON text; absent on GET. */
  body?: string
  /** Whether the answer is a server-sent event stream. */
  stream: boolean
  /** What the request does, for people: `completion` or `model`. */
  kind: 'completion' | 'model'
  /** The header that carries the credential (replaced by *** wherever the request is shown). */
  credentialHeader: string
}

export type Resolution = { request: UpstreamRequest } | { noUpstream: string }

export const ANTHROPIC_VERSION = '2023-06-01'
const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024

/** The URL a region picks: the one for that region, else the first without a region, else the first. */
export function pickUrl(urls: LlmUrl[], region?: string): LlmUrl | undefined {
  return (region === undefined ? undefined : urls.find((u) => u.region === region)) ?? urls.find((u) => u.region === undefined) ?? urls[0]
}

const json = (value: unknown) => JSON.stringify(value)

/** Leaves out the keys whose value is undefined, so a format without a parameter never sends it. */
function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function effortOf(llm: ResolvableLlm, call: Call): string | undefined {
  if (llm.reasoningEffort === 'default') return undefined
  return call.lowestReasoning ? 'low' : llm.reasoningEffort
}

/** OpenAI's chat-completions wire format (openai, groq_openai, custom, and Azure's body). */
function chatBody(llm: ResolvableLlm, call: Call, tokensField: 'max_tokens' | 'max_completion_tokens', withModel: boolean): string {
  return json(
    defined({
      model: withModel ? (llm.modelName ?? undefined) : undefined,
      messages: [{ role: 'user', content: call.prompt }],
      temperature: llm.temperature ?? undefined,
      [tokensField]: call.maxTokens ?? llm.maxTokens ?? undefined,
      reasoning_effort: effortOf(llm, call),
      stream: true,
    }),
  )
}

/** The models endpoint beside a chat-completions URL, or undefined when the URL is not one. */
function openAiModelUrl(endpoint: string, model: string): string | undefined {
  const url = new URL(endpoint)
  if (!url.pathname.endsWith('/chat/completions')) return undefined
  url.pathname = `${url.pathname.slice(0, -'/chat/completions'.length)}/models/${encodeURIComponent(model)}`
  return url.toString()
}

/** Azure's deployment URL: the stored URL, with the deployment and api-version added when it lacks them. */
function azureUrl(endpoint: string, llm: ResolvableLlm): string {
  const url = new URL(endpoint)
  if (!/\/openai\/deployments\/[^/]+/.test(url.pathname)) {
    const deployment = llm.deploymentName ?? llm.modelName ?? ''
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions`
  } else if (!url.pathname.endsWith('/chat/completions')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`
  }
  if (!url.searchParams.has('api-version') && llm.apiVersion !== null) url.searchParams.set('api-version', llm.apiVersion)
  return url.toString()
}

/**
 * Gemini's model URL, `{base}/models/{model}[:{method}]`, from a base URL or from one that names a
 * model (and method) already. A `key` query parameter is dropped: the key goes in a header, never
 * in a URL that proxies and logs keep.
 */
function geminiUrl(endpoint: string, model: string, method: 'streamGenerateContent' | ''): string {
  const url = new URL(endpoint)
  const base = url.pathname.replace(/\/models\/.*$/, '').replace(/\/+$/, '')
  url.pathname = `${base}/models/${encodeURIComponent(model)}${method === '' ? '' : `:${method}`}`
  url.searchParams.delete('key')
  if (method === 'streamGenerateContent') url.searchParams.set('alt', 'sse')
  return url.toString()
}

const GEMINI_THINKING_BUDGET: Record<Exclude<ReasoningEffort, 'default'>, number> = { low: 1024, medium: 8192, high: 24576 }

/** The upstream request for one call, or why there is none. */
export function resolve(llm: ResolvableLlm, secret: string, call: Call, region?: string): Resolution {
  if (llm.llmFormat === 'none' || llm.llmFormat === 'advanced_voice') {
    return { noUpstream: `llmFormat ${llm.llmFormat} has no upstream: the persona's own client (or the voice model) answers, not an LLM this service calls` }
  }
  const target = pickUrl(llm.urls, region)
  if (target === undefined) return { noUpstream: `llmFormat ${llm.llmFormat} needs a URL and this LLM has none` }
  const model = llm.modelName ?? ''
  const jsonHeaders = { 'content-type': 'application/json', accept: 'text/event-stream' }
  switch (llm.llmFormat) {
    case 'openai':
    case 'groq_openai':
    case 'custom': {
      const headers = { authorization: `Bearer ${secret}` }
      const modelUrl = call.mode === 'model' ? openAiModelUrl(target.url, model) : undefined
      if (modelUrl !== undefined) {
        return { request: { method: 'GET', url: modelUrl, headers, stream: false, kind: 'model', credentialHeader: 'authorization' } }
      }
      // OpenAI's own API names the limit max_completion_tokens (max_tokens is refused by its reasoning models);
      // OpenAI-compatible servers (Groq, vLLM, Ollama…) know max_tokens.
      const tokens = llm.llmFormat === 'openai' ? 'max_completion_tokens' : 'max_tokens'
      return {
        request: {
          method: 'POST',
          url: target.url,
          headers: { ...headers, ...jsonHeaders },
          body: chatBody(llm, call, tokens, true),
          stream: true,
          kind: 'completion',
          credentialHeader: 'authorization',
        },
      }
    }
    case 'azure_openai':
      // Azure has no data-plane call that describes a deployment: a check completes instead.
      return {
        request: {
          method: 'POST',
          url: azureUrl(target.url, llm),
          headers: { 'api-key': secret, ...jsonHeaders },
          body: chatBody(llm, call, 'max_completion_tokens', false),
          stream: true,
          kind: 'completion',
          credentialHeader: 'api-key',
        },
      }
    case 'anthropic': {
      const headers = { 'x-api-key': secret, 'anthropic-version': ANTHROPIC_VERSION }
      if (call.mode === 'model') {
        const url = new URL(target.url)
        if (url.pathname.endsWith('/messages')) {
          url.pathname = `${url.pathname.slice(0, -'/messages'.length)}/models/${encodeURIComponent(model)}`
          return { request: { method: 'GET', url: url.toString(), headers, stream: false, kind: 'model', credentialHeader: 'x-api-key' } }
        }
      }
      return {
        request: {
          method: 'POST',
          url: target.url,
          headers: { ...headers, ...jsonHeaders },
          body: json(
            defined({
              model,
              max_tokens: call.maxTokens ?? llm.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
              messages: [{ role: 'user', content: call.prompt }],
              temperature: llm.temperature ?? undefined,
              stream: true,
            }),
          ),
          stream: true,
          kind: 'completion',
          credentialHeader: 'x-api-key',
        },
      }
    }
    case 'gemini': {
      const headers = { 'x-goog-api-key': secret }
      if (call.mode === 'model') {
        return { request: { method: 'GET', url: geminiUrl(target.url, model, ''), headers, stream: false, kind: 'model', credentialHeader: 'x-goog-api-key' } }
      }
      const effort = effortOf(llm, call)
      const generationConfig = defined({
        temperature: llm.temperature ?? undefined,
        maxOutputTokens: call.maxTokens ?? llm.maxTokens ?? undefined,
        thinkingConfig: effort === undefined ? undefined : { thinkingBudget: GEMINI_THINKING_BUDGET[effort as 'low'] },
      })
      return {
        request: {
          method: 'POST',
          url: geminiUrl(target.url, model, 'streamGenerateContent'),
          headers: { ...headers, ...jsonHeaders },
          body: json(
            defined({
              contents: [{ role: 'user', parts: [{ text: call.prompt }] }],
              generationConfig: Object.keys(generationConfig).length === 0 ? undefined : generationConfig,
            }),
          ),
          stream: true,
          kind: 'completion',
          credentialHeader: 'x-goog-api-key',
        },
      }
    }
  }
}
