/** The rules an LLM configuration obeys, on create and on the merged result of an update. */
import { invalidData, type FieldProblem } from './errors.js'
import {
  LLM_FORMATS,
  SETTING_KEYS,
  UPSTREAM_FORMATS,
  type JsonObject,
  type LlmPatch,
  type LlmSettings,
  type LlmUrl,
} from './llm.js'

export const LIMITS = {
  displayName: 255,
  description: 2000,
  modelName: 255,
  deploymentName: 255,
  apiVersion: 255,
  secret: 8192,
  url: 2048,
  urls: 10,
  region: 64,
  temperatureMax: 2,
  maxTokensMax: 1_000_000,
  metadataBytes: 16 * 1024,
  metadataDepth: 10,
  /** A request body, in bytes (413 past it). */
  bodyBytes: 64 * 1024,
} as const

/** Why an upstream URL is refused, or null when it is acceptable. */
export function upstreamUrlProblem(value: string): string | null {
  if (value.length > LIMITS.url) return `must be at most ${LIMITS.url} characters`
  // The WHATWG parser silently strips surrounding blanks and tabs; a stored URL must be what is used.
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'must not contain whitespace or control characters'
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    return 'must be an absolute http or https URL'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return 'must be an absolute http or https URL'
  }
  if (!/^https?:\/\//i.test(value) || parsed.hostname === '') return 'must be an absolute http or https URL'
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain credentials; put them in secret'
  }
  return null
}

/**
 * Why a one-line text (a name, a model, a region, a secret) is refused: a control character
 * (C0, DEL, C1), which no name needs and which a terminal obeys when the name is printed (an
 * escape sequence that recolours or retitles it, a line break that forges a table row), or which
 * breaks the header a secret is sent in (the line break copied with a pasted key). Null when fine.
 */
export function oneLineProblem(value: string): string | null {
  return CONTROL.test(value) ? 'must not contain control characters (line breaks, tabs, escape sequences)' : null
}

/** The same for free text (a description): line breaks and tabs are its own. */
export function freeTextProblem(value: string): string | null {
  return CONTROL_BUT_LINES.test(value) ? 'must not contain control characters other than line breaks and tabs' : null
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/

const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * Every string (and object key) inside a value that is not storable text: NUL characters and
 * lone UTF-16 surrogates, which PostgreSQL refuses and SQLite would store differently than sent.
 */
export function unstorableTextFields(value: unknown, path = ''): FieldProblem[] {
  const problems: FieldProblem[] = []
  const visit = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      if (UNSTORABLE_TEXT.test(v)) problems.push({ field: at, message: 'must not contain NUL characters or lone surrogates' })
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${at}[${i}]`))
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        const childPath = at === '' ? key : `${at}.${key}`
        if (UNSTORABLE_TEXT.test(key)) problems.push({ field: at === '' ? '(key)' : at, message: 'keys must not contain NUL characters or lone surrogates' })
        else visit(child, childPath)
      }
    }
  }
  visit(value, path)
  return problems
}

/** Why a metadata object is refused (size, depth), or null. */
export function metadataProblem(value: JsonObject): string | null {
  if (jsonDepth(value) > LIMITS.metadataDepth) {
    return `must be at most ${LIMITS.metadataDepth} levels deep`
  }
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > LIMITS.metadataBytes) {
    return `must be at most ${LIMITS.metadataBytes} bytes when serialized`
  }
  return null
}

function jsonDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0
  let deepest = 0
  for (const child of Object.values(value)) {
    const depth = jsonDepth(child)
    if (depth > deepest) deepest = depth
  }
  return deepest + 1
}

/**
 * A URL as the resolver would call it (WHATWG parsing: scheme and host in lower case, the default
 * port dropped, `.` segments resolved), so that `HTTPS://API.OPENAI.COM:443/v1` duplicates
 * `https://api.openai.com/v1`. What is stored is what was sent.
 */
function sameUrlKey(url: string): string {
  try {
    return new URL(url).href
  } catch {
    return url
  }
}

/** Problems with a list of URLs as a whole: the per-URL rules are checked by the schema. */
export function urlListProblems(urls: LlmUrl[], field = 'urls'): FieldProblem[] {
  const seen = new Set<string>()
  const problems: FieldProblem[] = []
  urls.forEach((entry, index) => {
    const key = JSON.stringify([sameUrlKey(entry.url), entry.region ?? null])
    if (seen.has(key)) {
      problems.push({ field: `${field}[${index}]`, message: 'duplicates an earlier (url, region) pair' })
    }
    seen.add(key)
  })
  return problems
}

/**
 * Every required field a create body lacks, judged before its other problems are fixed: for the
 * format it names, or, when it names none (or an unknown one), for the most demanding reading
 * (a format that calls an upstream). So one 400 lists them all instead of one per attempt.
 */
export function missingOnCreate(body: Record<string, unknown>): FieldProblem[] {
  const absent = (field: string) => body[field] === undefined || body[field] === null
  const problems: FieldProblem[] = []
  if (absent('displayName')) problems.push({ field: 'displayName', message: 'is required' })
  if (absent('llmFormat')) problems.push({ field: 'llmFormat', message: 'is required' })
  const format = LLM_FORMATS.find((known) => known === body.llmFormat)
  if (format !== undefined && !UPSTREAM_FORMATS.has(format)) return problems
  const present = {
    urls: !absent('urls') && !(Array.isArray(body.urls) && body.urls.length === 0),
    modelName: !absent('modelName'),
    secret: !absent('secret'),
  }
  return [...problems, ...upstreamNeeds(format === undefined ? 'for formats that call an upstream' : `for llmFormat ${format}`, present)]
}

/** What a format that calls an upstream needs: a URL, a model and a credential, each named when missing. */
function upstreamNeeds(needs: string, present: { urls: boolean; modelName: boolean; secret: boolean }): FieldProblem[] {
  const problems: FieldProblem[] = []
  if (!present.urls) problems.push({ field: 'urls', message: `at least one URL is required ${needs}` })
  if (!present.modelName) problems.push({ field: 'modelName', message: `is required ${needs}` })
  if (!present.secret) problems.push({ field: 'secret', message: `is required ${needs}` })
  return problems
}

/**
 * Problems with a record as a whole: what each format needs, and no (url, region) pair twice. The
 * list's rule is checked when the list is new (no `changed`) or among `changed`: it cannot break
 * otherwise, and a list stored under an older rule (two spellings of one URL, before 7ad125d)
 * should not refuse every other change; it also spares each PUT parsing its URLs again.
 */
export function recordProblems(settings: LlmSettings, hasSecret: boolean, changed?: readonly (keyof LlmSettings)[]): FieldProblem[] {
  const problems = UPSTREAM_FORMATS.has(settings.llmFormat)
    ? upstreamNeeds(`for llmFormat ${settings.llmFormat}`, {
        urls: settings.urls.length > 0,
        modelName: settings.modelName !== null,
        secret: hasSecret,
      })
    : []
  return changed === undefined || changed.includes('urls') ? [...problems, ...urlListProblems(settings.urls)] : problems
}

/** The settings of a new record: the body's values over the documented defaults. */
export function settingsForCreate(body: LlmPatch & Pick<LlmSettings, 'displayName' | 'llmFormat'>): LlmSettings {
  return {
    displayName: body.displayName.trim(),
    description: body.description ?? null,
    llmFormat: body.llmFormat,
    urls: body.urls ?? [],
    modelName: body.modelName ?? null,
    temperature: body.temperature ?? null,
    maxTokens: body.maxTokens ?? null,
    deploymentName: body.deploymentName ?? null,
    apiVersion: body.apiVersion ?? null,
    metadata: body.metadata ?? {},
    reasoningEffort: body.reasoningEffort ?? 'default',
    reasoningFormat: body.reasoningFormat ?? 'parsed',
  }
}

export interface MergeResult {
  settings: LlmSettings
  /** Names of the settings whose value differs from the stored one. */
  changed: (keyof LlmSettings)[]
}


/**
 * Applies a partial update: absent fields keep their value, `url` replaces the list with one
 * endpoint. Throws invalid_data when the patch is contradictory; the caller validates the result.
 */
export function mergeSettings(current: LlmSettings, patch: LlmPatch): MergeResult {
  if (patch.url !== undefined && patch.urls !== undefined) {
    throw invalidData([
      { field: 'url', message: 'cannot be sent together with urls' },
      { field: 'urls', message: 'cannot be sent together with url' },
    ])
  }
  const next: LlmSettings = { ...current }
  const changed: (keyof LlmSettings)[] = []
  const incoming: Partial<LlmSettings> = { ...patch }
  if (patch.url !== undefined) incoming.urls = [{ url: patch.url }]
  if (incoming.displayName !== undefined) incoming.displayName = incoming.displayName.trim()
  for (const key of SETTING_KEYS) {
    const value = incoming[key]
    if (value === undefined) continue
    if (!sameJson(current[key], value)) changed.push(key)
    ;(next as unknown as Record<string, unknown>)[key] = value
  }
  return { settings: next, changed }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The bounds of each setting's value, as the request schema states them: needed where settings
 * come from elsewhere than a validated body (a restored snapshot, written under older rules).
 */
export function settingValueProblems(settings: LlmSettings): FieldProblem[] {
  const problems: FieldProblem[] = []
  const text = (field: keyof LlmSettings, value: string | null, max: number, min = 0) => {
    if (value !== null && (value.length < min || value.length > max)) problems.push({ field, message: `must be ${min} to ${max} characters` })
  }
  text('displayName', settings.displayName.trim(), LIMITS.displayName, 1)
  text('description', settings.description, LIMITS.description)
  text('modelName', settings.modelName, LIMITS.modelName, 1)
  text('deploymentName', settings.deploymentName, LIMITS.deploymentName)
  text('apiVersion', settings.apiVersion, LIMITS.apiVersion)
  if (settings.temperature !== null && !(settings.temperature >= 0 && settings.temperature <= LIMITS.temperatureMax)) {
    problems.push({ field: 'temperature', message: `must be between 0 and ${LIMITS.temperatureMax}` })
  }
  if (settings.maxTokens !== null && !(Number.isInteger(settings.maxTokens) && settings.maxTokens >= 1 && settings.maxTokens <= LIMITS.maxTokensMax)) {
    problems.push({ field: 'maxTokens', message: `must be a whole number from 1 to ${LIMITS.maxTokensMax}` })
  }
  if (!LLM_FORMATS.includes(settings.llmFormat)) problems.push({ field: 'llmFormat', message: `must be one of: ${LLM_FORMATS.join(', ')}` })
  if (settings.urls.length > LIMITS.urls) problems.push({ field: 'urls', message: `must have at most ${LIMITS.urls} URLs` })
  settings.urls.forEach((entry, index) => {
    const problem = upstreamUrlProblem(entry.url)
    if (problem !== null) problems.push({ field: `urls[${index}].url`, message: problem })
  })
  const metadata = metadataProblem(settings.metadata)
  if (metadata !== null) problems.push({ field: 'metadata', message: metadata })
  return problems
}

/** Throws invalid_data listing every problem of the merged record, if any. */
export function assertValidRecord(settings: LlmSettings, hasSecret: boolean, changed?: readonly (keyof LlmSettings)[]): void {
  const problems = recordProblems(settings, hasSecret, changed)
  if (problems.length > 0) throw invalidData(problems)
}
