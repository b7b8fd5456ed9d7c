/** The built-in defaults every organization sees: seeded at every start, idempotently. */
import type { StoredLlm } from './llm.js'

const SEEDED_AT = '2026-04-20T10:00:00.000Z'

function builtIn(fields: Pick<StoredLlm, 'id' | 'displayName' | 'description' | 'llmFormat' | 'urls' | 'modelName'> &
  Partial<StoredLlm>): StoredLlm {
  return {
    temperature: null,
    maxTokens: null,
    deploymentName: null,
    apiVersion: null,
    metadata: {},
    displayTags: [],
    isDefault: true,
    isGlobal: true,
    isZdr: false,
    reasoningEffort: 'default',
    reasoningFormat: 'parsed',
    createdByOrganizationId: null,
    createdAt: SEEDED_AT,
    updatedAt: null,
    hasSecret: false,
    secretUpdatedAt: null,
    sealedSecret: null,
    version: 1,
    ...fields,
  }
}

export const DEFAULT_LLMS: readonly StoredLlm[] = [
  builtIn({
    id: 'a7cf662c-2ace-4de1-a21e-ef0fbf144bb7',
    displayName: 'GPT-4o',
    description: 'OpenAI GPT-4o default configuration.',
    llmFormat: 'openai',
    urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
    modelName: 'gpt-4o',
    temperature: 0.7,
    maxTokens: 1024,
    displayTags: ['openai'],
  }),
  builtIn({
    id: '0934d97d-0c3a-4f33-91b0-5e136a0ef466',
    displayName: 'GPT-4o mini',
    description: 'OpenAI GPT-4o mini: fast and inexpensive.',
    llmFormat: 'openai',
    urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
    modelName: 'gpt-4o-mini',
    temperature: 0.7,
    maxTokens: 1024,
    displayTags: ['openai'],
  }),
  builtIn({
    id: 'ANAM_LLAMA_v3_3_70B_V1',
    displayName: 'Llama 3.3 70B',
    description: 'Meta Llama 3.3 70B Instruct, served through an OpenAI-compatible endpoint.',
    llmFormat: 'groq_openai',
    urls: [{ url: 'https://api.groq.com/openai/v1/chat/completions' }],
    modelName: 'llama-3.3-70b-versatile',
    temperature: 0.7,
    maxTokens: 1024,
    displayTags: ['llama', 'groq'],
  }),
  builtIn({
    id: 'CUSTOMER_CLIENT_V1',
    displayName: 'Client-side LLM',
    description: 'The persona does not call an LLM: your own client produces the replies.',
    llmFormat: 'none',
    urls: [],
    modelName: null,
    displayTags: ['custom'],
  }),
]
