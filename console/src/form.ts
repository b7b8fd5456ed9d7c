/**
 * The edit form as plain data: what the inputs hold, what each field sends, and which fields the
 * user changed. No React here, so the rules are unit-tested on their own (form.unit.test.ts).
 */
import { BEYOND_I_JSON, decimalNumber, duplicateMembers, jsonSyntaxProblem, numbersBeyondRange, type CreateLlmBody, type Llm, type UpdateLlmBody } from 'llm-registry/client'

export type LlmFormat = Llm['llmFormat']
export type ReasoningEffort = Llm['reasoningEffort']
export type ReasoningFormat = Llm['reasoningFormat']

export const FORMATS: { value: LlmFormat; label: string }[] = [
  { value: 'openai', label: 'OpenAI' },
  { value: 'azure_openai', label: 'Azure OpenAI' },
  { value: 'groq_openai', label: 'Groq (OpenAI format)' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'gemini', label: 'Google Gemini' },
  { value: 'custom', label: 'Custom (OpenAI-compatible)' },
  { value: 'advanced_voice', label: 'Advanced voice (no upstream)' },
  { value: 'none', label: 'None (no upstream)' },
]
export const REASONING_EFFORTS: ReasoningEffort[] = ['default', 'low', 'medium', 'high']
export const REASONING_FORMATS: ReasoningFormat[] = ['parsed', 'raw', 'hidden']

/** Formats that call an upstream: they use URLs, a model and a secret. */
const UPSTREAM: ReadonlySet<LlmFormat> = new Set(['openai', 'azure_openai', 'groq_openai', 'anthropic', 'gemini', 'custom'])

export interface UrlRow {
  url: string
  /** Empty means no region. */
  region: string
}

/** What the inputs hold. `null` is a cleared nullable field (sent as null), distinct from ''. */
export interface FormValues {
  displayName: string
  description: string | null
  llmFormat: LlmFormat
  modelName: string | null
  urls: UrlRow[]
  temperature: string | null
  maxTokens: string | null
  deploymentName: string | null
  apiVersion: string | null
  reasoningEffort: ReasoningEffort
  reasoningFormat: ReasoningFormat
  metadata: string
}

export type Field = keyof FormValues

export const FIELD_LABELS: Record<Field | 'secret', string> = {
  displayName: 'Display name',
  description: 'Description',
  llmFormat: 'Format',
  modelName: 'Model',
  urls: 'URLs',
  temperature: 'Temperature',
  maxTokens: 'Max tokens',
  deploymentName: 'Deployment',
  apiVersion: 'API version',
  reasoningEffort: 'Reasoning effort',
  reasoningFormat: 'Reasoning format',
  metadata: 'Metadata',
  secret: 'Secret',
}

/** Every field, in the order of the form. */
export const FIELDS = Object.keys(FIELD_LABELS).filter((name) => name !== 'secret') as Field[]

export function emptyValues(): FormValues {
  return {
    displayName: '',
    description: null,
    llmFormat: 'openai',
    modelName: null,
    urls: [{ url: '', region: '' }],
    temperature: null,
    maxTokens: null,
    deploymentName: null,
    apiVersion: null,
    reasoningEffort: 'default',
    reasoningFormat: 'parsed',
    metadata: '{}',
  }
}

export function valuesOf(llm: Llm): FormValues {
  return {
    displayName: llm.displayName,
    description: llm.description,
    llmFormat: llm.llmFormat,
    modelName: llm.modelName,
    urls: llm.urls.map((u) => ({ url: u.url, region: u.region ?? '' })),
    temperature: llm.temperature === null ? null : String(llm.temperature),
    maxTokens: llm.maxTokens === null ? null : String(llm.maxTokens),
    deploymentName: llm.deploymentName,
    apiVersion: llm.apiVersion,
    reasoningEffort: llm.reasoningEffort,
    reasoningFormat: llm.reasoningFormat,
    metadata: JSON.stringify(llm.metadata, null, 2),
  }
}

/** Whether the format shows a field: Deployment and API version only for Azure; URLs, model and secret only for formats that call an upstream. */
export function isShown(field: Field | 'secret', format: LlmFormat): boolean {
  if (field === 'deploymentName' || field === 'apiVersion') return format === 'azure_openai'
  if (field === 'urls' || field === 'modelName' || field === 'secret') return UPSTREAM.has(format)
  return true
}

export const NULLABLE: ReadonlySet<Field> = new Set(['description', 'modelName', 'temperature', 'maxTokens', 'deploymentName', 'apiVersion'])

/** A problem the form finds before anything is sent (e.g. metadata that is not JSON). */
export interface FieldError {
  field: string
  message: string
}

type Sent = { ok: true; value: unknown } | { ok: false; message: string }

function numberOf(text: string | null, integer: boolean): Sent {
  if (text === null || text.trim() === '') return { ok: true, value: null }
  const value = decimalNumber(text)
  if (value === undefined) return { ok: false, message: 'must be a number' }
  if (integer && !Number.isInteger(value)) return { ok: false, message: 'must be a whole number' }
  return { ok: true, value }
}

/** What the API receives for one field, or why the input cannot be sent. */
export function sentValue(field: Field, values: FormValues): Sent {
  switch (field) {
    case 'temperature':
      return numberOf(values.temperature, false)
    case 'maxTokens':
      return numberOf(values.maxTokens, true)
    case 'metadata':
      return metadataOf(values.metadata)
    case 'urls':
      return { ok: true, value: values.urls.map((row) => (row.region === '' ? { url: row.url } : { url: row.url, region: row.region })) }
    default:
      return { ok: true, value: values[field] }
  }
}

/** The metadata text as an object, or the reason it is not one (checked as the user types). */
export function metadataOf(text: string): Sent {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const problem = jsonSyntaxProblem(error, text)
    return { ok: false, message: `is not valid JSON${problem === undefined ? '' : `: ${problem}`}` }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'must be a JSON object, like {"key": "value"}' }
  // JSON.parse keeps the last of a key given twice: say so rather than send less than was typed.
  const twice = duplicateMembers(text, value)
  if (twice.length > 0) return { ok: false, message: `gives ${twice.map((key) => JSON.stringify(key)).join(', ')} more than once` }
  // JSON.parse changes such a number (1e400 to null, 9007199254740993 to …992): say so rather than send another value.
  const beyond = numbersBeyondRange(value)
  if (beyond.length > 0) return { ok: false, message: `${beyond.map((key) => JSON.stringify(key)).join(', ')} ${BEYOND_I_JSON}` }
  return { ok: true, value }
}

const same = (a: Sent, b: Sent) => a.ok && b.ok && JSON.stringify(a.value) === JSON.stringify(b.value)

/** The fields whose sent value differs from what was loaded: only these go into an update. */
export function changedFields(initial: FormValues, current: FormValues): Field[] {
  return FIELDS.filter((field) => {
    const now = sentValue(field, current)
    return !now.ok || !same(sentValue(field, initial), now)
  })
}

export type BodyResult<T> = { ok: true; body: T } | { ok: false; errors: FieldError[] }

/** An update body of the changed fields alone (and the secret when it is replaced). */
export function updateBody(initial: FormValues, current: FormValues, secret: string | null): BodyResult<UpdateLlmBody> {
  const body: Record<string, unknown> = {}
  const errors: FieldError[] = []
  for (const field of changedFields(initial, current)) {
    const sent = sentValue(field, current)
    if (sent.ok) body[field] = sent.value
    else errors.push({ field, message: sent.message })
  }
  if (secret !== null && secret !== '') body.secret = secret
  return errors.length > 0 ? { ok: false, errors } : { ok: true, body: body as UpdateLlmBody }
}

/** A create body: every field the format uses that holds something. */
export function createBody(current: FormValues, secret: string | null): BodyResult<CreateLlmBody> {
  const body: Record<string, unknown> = { displayName: current.displayName, llmFormat: current.llmFormat }
  const errors: FieldError[] = []
  for (const field of FIELDS) {
    if (field === 'displayName' || field === 'llmFormat' || !isShown(field, current.llmFormat)) continue
    const sent = sentValue(field, current)
    if (!sent.ok) errors.push({ field, message: sent.message })
    else if (sent.value !== null && !(field === 'urls' && current.urls.every((row) => row.url === '' && row.region === ''))) body[field] = sent.value
  }
  // A secret typed before switching to a format without an upstream is not sent.
  if (secret !== null && secret !== '' && isShown('secret', current.llmFormat)) body.secret = secret
  return errors.length > 0 ? { ok: false, errors } : { ok: true, body: body as CreateLlmBody }
}

/** The id of the input a server `details[].field` names (`urls[0].url` → `field-urls-0-url`); falls back to the field itself. */
export function inputIdOf(field: string): string {
  return `field-${field.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-')}`
}

/** The top-level form field a server detail belongs to (`urls[0].url` → `urls`). */
export function topFieldOf(field: string): string {
  return field.split(/[.[]/)[0] ?? field
}

/** How a value reads in the conflict dialog. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return '(not set)'
  if (typeof value === 'string') return value === '' ? '(empty)' : value
  if (Array.isArray(value)) {
    return value.length === 0 ? '(none)' : value.map((u: { url: string; region?: string }) => (u.region ? `${u.url} (${u.region})` : u.url)).join(', ')
  }
  return JSON.stringify(value)
}
