/** The resolver's mapping per wire format: URLs by region, parameters by each format's own names. */
import { describe, expect, test } from 'vitest'
import { pickUrl, resolve, type Call, type ResolvableLlm } from './resolver.js'

const LLM: ResolvableLlm = {
  llmFormat: 'openai',
  urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
  modelName: 'gpt-4o',
  temperature: 0.7,
  maxTokens: 300,
  deploymentName: null,
  apiVersion: null,
  reasoningEffort: 'default',
}
const CALL: Call = { mode: 'completion', prompt: 'Hi' }

function request(llm: Partial<ResolvableLlm>, call: Partial<Call> = {}) {
  const resolution = resolve({ ...LLM, ...llm }, 'KEY', { ...CALL, ...call })
  if (!('request' in resolution)) throw new Error(resolution.noUpstream)
  return { ...resolution.request, json: JSON.parse(resolution.request.body ?? 'null') }
}

describe('resolver', () => {
  test('region: the URL of that region, else the first without a region, else the first', () => {
    const urls = [{ url: 'https://eu', region: 'eu' }, { url: 'https://any' }, { url: 'https://us', region: 'us' }]
    expect(pickUrl(urls, 'us')?.url).toBe('https://us')
    expect(pickUrl(urls, 'ap')?.url).toBe('https://any')
    expect(pickUrl(urls)?.url).toBe('https://any')
    expect(pickUrl([{ url: 'https://eu', region: 'eu' }], 'ap')?.url).toBe('https://eu')
  })

  test('openai: max_completion_tokens; groq_openai and custom: max_tokens; reasoning_effort only when set', () => {
    expect(request({}).json).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.7, max_completion_tokens: 300, stream: true })
    expect(request({ llmFormat: 'groq_openai' }).json).toMatchObject({ max_tokens: 300 })
    expect(request({ llmFormat: 'custom', temperature: null, maxTokens: null }).json).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true })
    expect(request({ reasoningEffort: 'high' }).json.reasoning_effort).toBe('high')
    expect(request({ reasoningEffort: 'high' }, { lowestReasoning: true }).json.reasoning_effort).toBe('low')
    expect(request({}, { mode: 'model' })).toMatchObject({ method: 'GET', url: 'https://api.openai.com/v1/models/gpt-4o', headers: { authorization: 'Bearer KEY' } })
    expect(request({ urls: [{ url: 'https://proxy.example/generate' }] }, { mode: 'model' }).method).toBe('POST')
  })

  test('azure_openai: deployment and api-version added only when the URL lacks them; the api-key header', () => {
    const azure = { llmFormat: 'azure_openai' as const, deploymentName: 'dep', apiVersion: '2024-10-21' }
    expect(request({ ...azure, urls: [{ url: 'https://r.openai.azure.com' }] }).url).toBe('https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21')
    expect(request({ ...azure, urls: [{ url: 'https://r.openai.azure.com/openai/deployments/other/chat/completions?api-version=2025-01-01' }] }).url).toBe(
      'https://r.openai.azure.com/openai/deployments/other/chat/completions?api-version=2025-01-01',
    )
    const sent = request({ ...azure, urls: [{ url: 'https://r.openai.azure.com' }] })
    expect(sent.headers['api-key']).toBe('KEY')
    expect(sent.headers.authorization).toBeUndefined()
  })

  test('anthropic: x-api-key, anthropic-version, max_tokens always present', () => {
    const sent = request({ llmFormat: 'anthropic', maxTokens: null, urls: [{ url: 'https://api.anthropic.com/v1/messages' }] })
    expect(sent.headers).toMatchObject({ 'x-api-key': 'KEY', 'anthropic-version': '2023-06-01' })
    expect(sent.json).toMatchObject({ model: 'gpt-4o', max_tokens: 1024, temperature: 0.7, stream: true })
    expect(request({ llmFormat: 'anthropic', urls: [{ url: 'https://api.anthropic.com/v1/messages' }] }, { mode: 'model' }).url).toBe('https://api.anthropic.com/v1/models/gpt-4o')
  })

  test('gemini: the key in x-goog-api-key, never in the query (a stored ?key= is dropped); generationConfig names', () => {
    const sent = request({ llmFormat: 'gemini', modelName: 'gemini-2.5-flash', reasoningEffort: 'medium', urls: [{ url: 'https://generativelanguage.googleapis.com/v1beta/models/old:generateContent?key=LEAK' }] })
    expect(sent.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(sent.headers['x-goog-api-key']).toBe('KEY')
    expect(sent.json.generationConfig).toEqual({ temperature: 0.7, maxOutputTokens: 300, thinkingConfig: { thinkingBudget: 8192 } })
    expect(request({ llmFormat: 'gemini', urls: [{ url: 'https://g/v1beta' }] }, { mode: 'model' }).url).toBe('https://g/v1beta/models/gpt-4o')
  })

  test('none and advanced_voice: no upstream, said plainly', () => {
    for (const llmFormat of ['none', 'advanced_voice'] as const) {
      const resolution = resolve({ ...LLM, llmFormat }, 'KEY', CALL)
      expect(resolution).toEqual({ noUpstream: expect.stringContaining('has no upstream') })
    }
  })
})
