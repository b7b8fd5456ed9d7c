/**
 * The providers' own SDKs as the reference of each wire format: each makes the equivalent call
 * against a loopback capture server, and the resolver's request for the same configuration must
 * match it in method, path, query, authentication header and the body fields that matter.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI, { AzureOpenAI } from 'openai'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ANTHROPIC_VERSION, resolve, type ResolvableLlm, type UpstreamRequest } from './resolver.js'

const KEY = 'sk-reference-key-0000'

interface Captured {
  method: string
  path: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  body: Record<string, unknown>
}

let captured: Captured[] = []
let base = ''
const server = createServer((req, res) => {
  let text = ''
  req.on('data', (c) => (text += String(c)))
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x')
    captured.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: text === '' ? {} : JSON.parse(text) })
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    if (url.pathname.endsWith('/messages')) res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n')
    else if (url.pathname.includes(':streamGenerateContent')) res.end('data: {"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}]}\n\n')
    else res.end('data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n')
  })
})
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise((r) => server.close(r)))

async function sdkCall(make: () => Promise<AsyncIterable<unknown>>): Promise<Captured> {
  captured = []
  for await (const _ of await make()) void _
  expect(captured).toHaveLength(1)
  return captured[0] as Captured
}

function ours(llm: Partial<ResolvableLlm>): { request: UpstreamRequest; captured: Omit<Captured, 'headers'> & { headers: Record<string, string> } } {
  const resolution = resolve(
    { llmFormat: 'openai', urls: [], modelName: null, temperature: 0.5, maxTokens: null, deploymentName: null, apiVersion: null, reasoningEffort: 'default', ...llm },
    KEY,
    { mode: 'completion', prompt: 'Hi', maxTokens: 16 },
  )
  if (!('request' in resolution)) throw new Error('no request')
  const url = new URL(resolution.request.url)
  return {
    request: resolution.request,
    captured: { method: resolution.request.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: resolution.request.headers, body: JSON.parse(resolution.request.body ?? '{}') },
  }
}

const pick = (body: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, body[k]]))

describe('the resolver matches the providers\' SDKs', () => {
  test('openai: chat completions, Bearer key, model/messages/temperature/max_completion_tokens/stream', async () => {
    const sdk = await sdkCall(() =>
      new OpenAI({ apiKey: KEY, baseURL: `${base}/v1`, organization: null, project: null }).chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Hi' }],
        temperature: 0.5,
        max_completion_tokens: 16,
        stream: true,
      }),
    )
    const mine = ours({ llmFormat: 'openai', modelName: 'gpt-4o', urls: [{ url: `${base}/v1/chat/completions` }] }).captured
    expect([mine.method, mine.path, mine.query]).toEqual([sdk.method, sdk.path, sdk.query])
    expect(mine.headers.authorization).toBe(sdk.headers.authorization)
    const fields = ['model', 'messages', 'temperature', 'max_completion_tokens', 'stream']
    expect(pick(mine.body, fields)).toEqual(pick(sdk.body, fields))
  })

  test('azure_openai: the deployment path, api-version query and api-key header of the AzureOpenAI client', async () => {
    const sdk = await sdkCall(() =>
      new AzureOpenAI({ apiKey: KEY, endpoint: base, apiVersion: '2024-10-21', deployment: 'prod-4o' }).chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Hi' }],
        temperature: 0.5,
        max_completion_tokens: 16,
        stream: true,
      }),
    )
    const mine = ours({ llmFormat: 'azure_openai', modelName: 'gpt-4o', deploymentName: 'prod-4o', apiVersion: '2024-10-21', urls: [{ url: base }] }).captured
    expect([mine.method, mine.path, mine.query]).toEqual([sdk.method, sdk.path, sdk.query])
    expect(mine.headers['api-key']).toBe(sdk.headers['api-key'])
    // On purpose: Azure picks the model by deployment, so the body carries none (the SDK repeats it; Azure ignores it).
    const fields = ['messages', 'temperature', 'max_completion_tokens', 'stream']
    expect(pick(mine.body, fields)).toEqual(pick(sdk.body, fields))
    expect(mine.body.model).toBeUndefined()
  })

  test('anthropic: messages, x-api-key and anthropic-version, max_tokens always present', async () => {
    const sdk = await sdkCall(() =>
      new Anthropic({ apiKey: KEY, baseURL: base }).messages.create({
        model: 'claude-reference-model',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'Hi' }],
        // The 1.x SDK's types no longer list temperature (its newer API version); it still sends it.
        ...({ temperature: 0.5 } as object),
        stream: true,
      }),
    )
    const mine = ours({ llmFormat: 'anthropic', modelName: 'claude-reference-model', urls: [{ url: `${base}/v1/messages` }] }).captured
    expect([mine.method, mine.path, mine.query]).toEqual([sdk.method, sdk.path, sdk.query])
    // On purpose (docs/upstream.md): the 1.x SDK sends the key as `Authorization: Bearer` with a newer API
    // version; we send the documented `x-api-key` with 2023-06-01, which the API and Anthropic-compatible
    // gateways accept alike. The same key, in the header each names.
    expect(sdk.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(mine.headers['x-api-key']).toBe(KEY)
    expect(sdk.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(mine.headers['anthropic-version']).toBe(ANTHROPIC_VERSION)
    const fields = ['model', 'max_tokens', 'messages', 'temperature', 'stream']
    expect(pick(mine.body, fields)).toEqual(pick(sdk.body, fields))
  })

  test('gemini: streamGenerateContent with alt=sse, the key in x-goog-api-key (never the query), contents and generationConfig', async () => {
    const sdk = await sdkCall(() =>
      new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: base } }).models.generateContentStream({
        model: 'gemini-2.0-flash',
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        config: { temperature: 0.5, maxOutputTokens: 16 },
      }),
    )
    const { captured: mine, request } = ours({ llmFormat: 'gemini', modelName: 'gemini-2.0-flash', urls: [{ url: `${base}/v1beta` }] })
    expect([mine.method, mine.path, mine.query]).toEqual([sdk.method, sdk.path, sdk.query])
    expect(mine.headers['x-goog-api-key']).toBe(sdk.headers['x-goog-api-key'])
    expect(request.url).not.toContain(KEY)
    expect(pick(mine.body, ['contents', 'generationConfig'])).toEqual(pick(sdk.body, ['contents', 'generationConfig']))
  })
})
