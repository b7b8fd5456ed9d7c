/** How the CLI shows things to people: aligned tables, record blocks, ages, colour only on a terminal. */
import { styleText } from 'node:util'
import { PROBLEM_EXPLANATIONS, type CheckResult, type Llm } from '../client/index.js'

/** Where the CLI writes, and whether colour is wanted there. */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** Colour only when stdout is a terminal and NO_COLOR is unset. */
  color: boolean
}

type Style = Parameters<typeof styleText>[0]

export function paint(io: CliIo, style: Style, text: string): string {
  return io.color ? styleText(style, text) : text
}

/**
 * Text from the server (names, descriptions, a provider's error message) as it may be printed:
 * a control character is shown as its escape (`\n`, `\u001b`) rather than obeyed by the terminal,
 * where an escape sequence could recolour, hide or retitle, a line break forge a table row, and
 * a right-to-left override make one name read as another.
 * The service refuses them in names; older records, metadata and providers' text may hold them.
 */
export function shown(text: string): string {
  return text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

// C0, DEL and C1, and the bidirectional overrides and isolates, which reorder what follows them
// on the line (a name could show another name, or push the next columns around).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** Rows as columns padded to their widest cell (the last column is not padded); cells are shown(). */
export function table(io: CliIo, header: string[], cellsOf: string[][]): string {
  const rows = cellsOf.map((row) => row.map(shown))
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')
  return [paint(io, 'bold', line(header)), ...rows.map(line)].join('\n') + '\n'
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
]

/** "3 days ago", "now". */
export function age(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000)
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return RELATIVE.format(Math.round(seconds / size), unit)
  }
  return iso
}

export function secretState(llm: Pick<Llm, 'hasSecret' | 'secretUpdatedAt'>): string {
  if (!llm.hasSecret) return 'not set'
  return llm.secretUpdatedAt === null ? 'set' : `set ${age(llm.secretUpdatedAt)}`
}

export function kindOf(llm: Pick<Llm, 'isDefault' | 'isGlobal'>): string {
  return llm.isDefault ? 'default' : llm.isGlobal ? 'global' : ''
}

const regionsOf = (llm: Llm) => [...new Set(llm.urls.map((u) => u.region ?? '-'))].join(',') || '-'

/** The list as a table: defaults and global LLMs marked. */
export function llmTable(io: CliIo, llms: Llm[]): string {
  return table(
    io,
    ['ID', 'NAME', 'KIND', 'FORMAT', 'MODEL', 'REGIONS', 'SECRET', 'UPDATED'],
    llms.map((llm) => [
      llm.id,
      llm.displayName,
      kindOf(llm) || '-',
      llm.llmFormat,
      llm.modelName ?? '-',
      regionsOf(llm),
      secretState(llm),
      llm.updatedAt === null ? 'never' : age(llm.updatedAt),
    ]),
  )
}

/** One LLM as a readable block. */
export function llmBlock(io: CliIo, llm: Llm, etag?: string): string {
  const kind = [llm.isDefault && 'default', llm.isGlobal && 'global', llm.isZdr && 'zero data retention'].filter(Boolean).join(', ')
  const value = (v: unknown) => (v === null || v === undefined ? paint(io, 'dim', '-') : shown(String(v)))
  const urls = llm.urls.length === 0 ? [paint(io, 'dim', '-')] : llm.urls.map((u) => shown(u.region === undefined ? u.url : `${u.url} (${u.region})`))
  const rows: [string, string | string[]][] = [
    ['id', llm.id],
    ['description', value(llm.description)],
    ['format', llm.llmFormat],
    ['model', value(llm.modelName)],
    ['urls', urls],
    ['temperature', value(llm.temperature)],
    ['max tokens', value(llm.maxTokens)],
    ['deployment', value(llm.deploymentName)],
    ['api version', value(llm.apiVersion)],
    ['reasoning', `effort ${llm.reasoningEffort}, format ${llm.reasoningFormat}`],
    ['metadata', Object.keys(llm.metadata).length === 0 ? paint(io, 'dim', '{}') : shown(JSON.stringify(llm.metadata))],
    ['tags', llm.displayTags.length === 0 ? paint(io, 'dim', '-') : shown(llm.displayTags.join(', '))],
    ['secret', secretState(llm)],
    ['created', `${llm.createdAt} (${age(llm.createdAt)})`],
    ['updated', llm.updatedAt === null ? 'never' : `${llm.updatedAt} (${age(llm.updatedAt)})`],
    ...(etag === undefined ? [] : ([['etag', etag]] as [string, string][])),
  ]
  const lines = [`${paint(io, 'bold', shown(llm.displayName))}${kind === '' ? '' : `  (${kind})`}`]
  for (const [label, content] of rows) {
    const [first = '', ...rest] = Array.isArray(content) ? content : [content]
    lines.push(`  ${paint(io, 'dim', label.padEnd(12))} ${first}`)
    for (const more of rest) lines.push(`  ${' '.repeat(12)} ${more}`)
  }
  return lines.join('\n') + '\n'
}

/** One JSON document on stdout, nothing else. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`)
}

/** A check's results, one block per URL: what answered, how fast, and in words why not. */
export function checkLines(io: CliIo, result: CheckResult): string {
  const lines = [`${result.ok ? paint(io, 'green', 'works') : paint(io, 'red', 'does not work')}  (${result.mode} check, ${result.checkedAt})`]
  for (const r of result.results) {
    const where = shown(`${r.url ?? '(no URL)'}${r.region === null ? '' : ` (${r.region})`}`)
    const timing = [r.status === null ? null : `HTTP ${r.status}`, r.latencyMs === null ? null : `${r.latencyMs} ms`, r.timeToFirstTokenMs === undefined ? null : `first token ${r.timeToFirstTokenMs} ms`]
      .filter((x) => x !== null)
      .join(', ')
    lines.push(`${r.ok ? paint(io, 'green', 'ok  ') : paint(io, 'red', 'FAIL')}  ${where}${timing === '' ? '' : `  ${timing}`}`)
    if (r.reply !== undefined) lines.push(`      reply: ${r.reply === '' ? '(empty: the model answered nothing in its few tokens)' : shown(JSON.stringify(r.reply))}`)
    if (r.problem !== undefined) {
      lines.push(`      ${r.problem}: ${PROBLEM_EXPLANATIONS[r.problem]}`)
      if (r.detail !== undefined) lines.push(`      provider said: ${shown(r.detail)}`)
      if (r.retryAfterSeconds !== undefined) lines.push(`      retry after: ${r.retryAfterSeconds} s`)
    }
    if (!r.ok && r.request !== undefined) lines.push(`      reproduce: ${shown(r.request.curl)}`)
  }
  return lines.join('\n') + '\n'
}
