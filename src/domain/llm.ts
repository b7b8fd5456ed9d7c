/** The LLM configuration as the domain sees it: plain values, no HTTP, no SQL. */

/** Every wire format the service stores: the union of the seed's request and response enums. */
export const LLM_FORMATS = [
  'openai',
  'azure_openai',
  'groq_openai',
  'anthropic',
  'gemini',
  'custom',
  'advanced_voice',
  'none',
] as const
export type LlmFormat = (typeof LLM_FORMATS)[number]

/** Formats that call an upstream and therefore need a URL, a model and a credential. */
export const UPSTREAM_FORMATS: ReadonlySet<LlmFormat> = new Set([
  'openai',
  'azure_openai',
  'groq_openai',
  'anthropic',
  'gemini',
  'custom',
])

export const REASONING_EFFORTS = ['default', 'low', 'medium', 'high'] as const
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number]

export const REASONING_FORMATS = ['parsed', 'raw', 'hidden'] as const
export type ReasoningFormat = (typeof REASONING_FORMATS)[number]

export interface LlmUrl {
  url: string
  region?: string
}

export type JsonObject = { [key: string]: unknown }

/** The fields a client may set (on create or update). */
export interface LlmSettings {
  displayName: string
  description: string | null
  llmFormat: LlmFormat
  urls: LlmUrl[]
  modelName: string | null
  temperature: number | null
  maxTokens: number | null
  deploymentName: string | null
  apiVersion: string | null
  metadata: JsonObject
  reasoningEffort: ReasoningEffort
  reasoningFormat: ReasoningFormat
}

/** The fields only the service and its operators manage. */
export interface LlmManagedFields {
  id: string
  displayTags: string[]
  isDefault: boolean
  isGlobal: boolean
  isZdr: boolean
  createdByOrganizationId: string | null
  createdAt: string
  updatedAt: string | null
  hasSecret: boolean
  secretUpdatedAt: string | null
}

/** An LLM as any endpoint returns it (never more secret than this). */
export type Llm = LlmSettings & LlmManagedFields

/** An LLM as stored: the public record plus its version and its sealed credential. */
export interface StoredLlm extends Llm {
  version: number
  sealedSecret: string | null
}

/** The settings a client sends on update: every field optional, `null` where it clears. */
export type LlmPatch = Partial<LlmSettings> & { url?: string; secret?: string }

/**
 * Every setting, total by type: a field added to `LlmSettings` and not here does not compile, so
 * an update can never accept a setting and silently not apply it.
 */
const SETTINGS: Record<keyof LlmSettings, true> = {
  displayName: true,
  description: true,
  llmFormat: true,
  urls: true,
  modelName: true,
  temperature: true,
  maxTokens: true,
  deploymentName: true,
  apiVersion: true,
  metadata: true,
  reasoningEffort: true,
  reasoningFormat: true,
}
export const SETTING_KEYS = Object.keys(SETTINGS) as (keyof LlmSettings)[]

const MANAGED: Record<keyof LlmManagedFields, true> = {
  id: true,
  createdAt: true,
  updatedAt: true,
  isDefault: true,
  isGlobal: true,
  isZdr: true,
  displayTags: true,
  createdByOrganizationId: true,
  hasSecret: true,
  secretUpdatedAt: true,
}
/** The read-only fields that a PUT of a GET result may carry and that are ignored (all the managed ones). */
export const READ_ONLY_FIELDS = Object.keys(MANAGED) as (keyof LlmManagedFields)[]

/** Strips the storage-only fields, so nothing sealed can leave by accident. */
export function toPublic(llm: StoredLlm): Llm {
  const { version: _version, sealedSecret: _sealed, ...rest } = llm
  return rest
}
