/**
 * Promoting configurations between servers: `llms export` writes an organization's LLMs as one
 * JSON document (never a secret), `llms import` plans and applies one on another server, matching
 * records by id, each update guarded by the ETag it was planned against. Importing the same
 * document twice changes nothing the second time.
 */
import { statSync } from 'node:fs'
import { ApiError, type Client, type CreateLlmBody, type Llm, type UpdateLlmBody } from '../client/index.js'
import { SETTING_KEYS, UPSTREAM_FORMATS, type LlmFormat, type LlmSettings } from '../domain/llm.js'
import { UsageError, readJson } from './llm-flags.js'

export const EXPORT_FORMAT = 'llm-registry-export'

/** One exported LLM: its id and settings, and what it was (for people; ignored on import). */
export type ExportedLlm = Pick<Llm, 'id' | keyof LlmSettings | 'hasSecret' | 'isDefault' | 'isGlobal'>

export interface ExportDocument {
  format: typeof EXPORT_FORMAT
  version: 1
  exportedAt: string
  llms: ExportedLlm[]
}

export function exportDocument(llms: Llm[]): ExportDocument {
  const exported = llms.map((llm) => {
    const record: Record<string, unknown> = { id: llm.id }
    for (const key of SETTING_KEYS) record[key] = llm[key]
    return { ...record, hasSecret: llm.hasSecret, isDefault: llm.isDefault, isGlobal: llm.isGlobal } as ExportedLlm
  })
  return { format: EXPORT_FORMAT, version: 1, exportedAt: new Date().toISOString(), llms: exported }
}

export type Step =
  | { action: 'create'; id: string; name: string; body: CreateLlmBody }
  | { action: 'update'; id: string; name: string; fields: string[]; body: UpdateLlmBody; etag: string }
  | { action: 'unchanged'; id: string; name: string }
  | { action: 'skip'; id: string; name: string; reason: string }

export interface StepResult {
  id: string
  name: string
  action: Step['action']
  ok: boolean
  detail?: string
}

/** JSON with object keys sorted, so two equal values compare equal whatever order a database returned. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  )
}

function settingsOf(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(SETTING_KEYS.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]))
}

const needsCredential = (format: unknown) => UPSTREAM_FORMATS.has(format as LlmFormat)

/** Reads and checks an export document. */
export function readExport(source: string, stdin: () => string): ExportDocument {
  const document = readJson(source, source === '-' ? 'standard input' : source, stdin) as Partial<ExportDocument> | null
  if (document === null || typeof document !== 'object' || document.format !== EXPORT_FORMAT || !Array.isArray(document.llms)) {
    throw new UsageError(`${source} is not an llm-registry export (made by \`llm-registry llms export\`)`)
  }
  return document as ExportDocument
}

/** Reads `--secrets-from`: a JSON object id → secret, refused when other users can read the file. */
export function readSecretsFile(path: string, stdin: () => string): Map<string, string> {
  const mode = statSync(path).mode
  if ((mode & 0o077) !== 0) {
    throw new UsageError(`${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it first`)
  }
  const parsed = readJson(path, path, stdin)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new UsageError(`${path} must hold a JSON object of LLM id → secret (strings)`)
  }
  return new Map(Object.entries(parsed as Record<string, string>))
}

/** What importing the document into the client's server would do, decided against what is there now. */
export async function planImport(client: Client, document: ExportDocument, secrets: Map<string, string>): Promise<Step[]> {
  const steps: Step[] = []
  for (const record of document.llms) {
    const { id, displayName: name } = record
    const wanted = settingsOf(record as unknown as Record<string, unknown>)
    const secret = secrets.get(id)
    let current: { data: Llm; etag: string } | undefined
    try {
      current = await client.llms.get(id)
    } catch (error) {
      if (!(error instanceof ApiError && error.statusCode === 404)) throw error
    }
    if (current === undefined) {
      if (needsCredential(wanted.llmFormat) && secret === undefined) {
        steps.push({ action: 'skip', id, name, reason: `llmFormat ${String(wanted.llmFormat)} needs a credential: give it with --secrets-from` })
      } else {
        steps.push({ action: 'create', id, name, body: { ...wanted, ...(secret !== undefined && { secret }) } as CreateLlmBody })
      }
      continue
    }
    const stored = current.data as unknown as Record<string, unknown>
    const fields = SETTING_KEYS.filter((key) => key in wanted && canonical(wanted[key]) !== canonical(stored[key]))
    const missingCredential = needsCredential(wanted.llmFormat) && !current.data.hasSecret
    if (fields.length === 0 && !missingCredential) {
      steps.push({ action: 'unchanged', id, name })
    } else if (current.data.isDefault) {
      steps.push({ action: 'skip', id, name, reason: 'a built-in default is read-only' })
    } else if (missingCredential && secret === undefined) {
      steps.push({ action: 'skip', id, name, reason: `the target has no credential for llmFormat ${String(wanted.llmFormat)}: give it with --secrets-from` })
    } else {
      const body: Record<string, unknown> = Object.fromEntries(fields.map((key) => [key, wanted[key]]))
      if (missingCredential && secret !== undefined) body.secret = secret
      steps.push({ action: 'update', id, name, fields: missingCredential ? [...fields, 'secret'] : fields, body, etag: current.etag })
    }
  }
  return steps
}

/** Applies a plan, each update guarded by the ETag it was planned against; failures are reported, not thrown. */
export async function applyImport(client: Client, steps: Step[]): Promise<StepResult[]> {
  const results: StepResult[] = []
  for (const step of steps) {
    const result: StepResult = { id: step.id, name: step.name, action: step.action, ok: true }
    try {
      if (step.action === 'create') await client.llms.create(step.body, { id: step.id })
      else if (step.action === 'update') await client.llms.update(step.id, step.body, { ifMatch: step.etag })
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      result.ok = false
      result.detail = error.statusCode === 412 ? 'changed on the target since the plan was made; run the import again' : describeApiError(error)
    }
    if (step.action === 'skip') result.ok = false
    results.push(result)
  }
  return results
}

/** An API error in one line, with each field's problem. */
export function describeApiError(error: ApiError): string {
  const details = (error.details ?? []).map((d) => `${d.field} ${d.message}`).join('; ')
  return `${error.message}${details === '' ? '' : `: ${details}`} (HTTP ${error.statusCode}${error.code === undefined ? '' : ` ${error.code}`})`
}

/** The plan as people read it. */
export function planLines(steps: Step[]): string[] {
  return steps.map((step) => {
    const head = `${step.action.padEnd(9)} ${step.id}  ${step.name}`
    if (step.action === 'update') return `${head}  (${step.fields.join(', ')})`
    if (step.action === 'skip') return `${head}: ${step.reason}`
    return head
  })
}
