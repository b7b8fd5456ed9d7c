/** The field flags of `llms create` and `llms update`: one per field of the body, `--clear` for null, `--from-file` for all. */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { BEYOND_I_JSON, decimalNumber, duplicateMembers, jsonSyntaxProblem, numbersBeyondRange, type UpdateLlmBody } from '../client/index.js'

/** A usage error: exit code 2. */
export class UsageError extends Error {}

/** Each flag, the body field it sets, and how its text becomes a value. */
const FIELD_FLAGS = {
  'display-name': { field: 'displayName', parse: String },
  description: { field: 'description', parse: String },
  format: { field: 'llmFormat', parse: String },
  model: { field: 'modelName', parse: String },
  temperature: { field: 'temperature', parse: number('temperature', false) },
  'max-tokens': { field: 'maxTokens', parse: number('max-tokens', true) },
  deployment: { field: 'deploymentName', parse: String },
  'api-version': { field: 'apiVersion', parse: String },
  'reasoning-effort': { field: 'reasoningEffort', parse: String },
  'reasoning-format': { field: 'reasoningFormat', parse: String },
} as const

/** Fields that `--clear` may set to null, by API name or by flag name. */
const CLEARABLE: Record<string, string> = {
  description: 'description',
  model: 'modelName',
  modelName: 'modelName',
  temperature: 'temperature',
  'max-tokens': 'maxTokens',
  maxTokens: 'maxTokens',
  deployment: 'deploymentName',
  deploymentName: 'deploymentName',
  'api-version': 'apiVersion',
  apiVersion: 'apiVersion',
}

function number(flag: string, integer: boolean) {
  return (text: string): number => {
    const value = decimalNumber(text)
    if (value === undefined || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${flag} must be ${integer ? 'a whole number' : 'a number'} (got "${text}")`)
    }
    return value
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** Adds the field flags to a command. */
export function addFieldFlags(command: Command): Command {
  for (const [flag, { field }] of Object.entries(FIELD_FLAGS)) {
    const placeholder = flag === 'format' ? 'format' : flag.endsWith('tokens') || flag === 'temperature' ? 'n' : 'text'
    command.option(`--${flag} <${placeholder}>`, `sets ${field}`)
  }
  return command
    .option('--url <url[@region]>', 'an endpoint, optionally for a region (repeat for several; replaces the list)', collect)
    .option('--metadata <json|@file>', 'metadata as a JSON object, or @path to a file holding one')
    .option('--from-file <file|->', 'a whole JSON body from a file, or - for standard input; flags given as well win')
    .option('--secret-stdin', 'read the credential from standard input (a hidden prompt on a terminal); there is no --secret flag')
}

/** `https://x/v1@eu` → url and region; an `@` followed by a path or a port is part of the URL. */
export function parseUrlFlag(text: string): { url: string; region?: string } {
  const at = text.lastIndexOf('@')
  if (at > 0 && !/[/:]/.test(text.slice(at + 1)) && text.slice(at + 1) !== '') {
    return { url: text.slice(0, at), region: text.slice(at + 1) }
  }
  return { url: text }
}

function parseJson(text: string, what: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const problem = jsonSyntaxProblem(error, text)
    throw new UsageError(`${what} is not valid JSON${problem === undefined ? '' : `: ${problem}`}`)
  }
  // JSON.parse would keep the last silently; the service refuses such a body, so say it here.
  const twice = duplicateMembers(text, value)
  if (twice.length > 0) throw new UsageError(`${what} gives ${twice.map((field) => JSON.stringify(field)).join(', ')} more than once`)
  // JSON.parse would change such a number (1e400 to null, 9007199254740993 to …992); the service refuses it too.
  const beyond = numbersBeyondRange(value)
  if (beyond.length > 0) throw new UsageError(`${what}: ${beyond.map((field) => (field === '' ? 'the value' : JSON.stringify(field))).join(', ')} ${BEYOND_I_JSON}`)
  return value
}

/** JSON from a file, or from standard input for `-`. */
export function readJson(source: string, what: string, stdin: () => string): unknown {
  return parseJson(source === '-' ? stdin() : readFileSync(source, 'utf8'), what)
}

/** The body the flags describe: --from-file first, then each field flag, then --clear. */
export function bodyFromFlags(options: Record<string, unknown>, stdin: () => string): Record<string, unknown> {
  let body: Record<string, unknown> = {}
  if (typeof options.fromFile === 'string') {
    const parsed = readJson(options.fromFile, `--from-file ${options.fromFile}`, stdin)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--from-file must hold a JSON object')
    body = { ...(parsed as Record<string, unknown>) }
  }
  for (const [flag, { field, parse }] of Object.entries(FIELD_FLAGS)) {
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    const text = options[key]
    if (typeof text === 'string') body[field] = (parse as (t: string) => unknown)(text)
  }
  if (Array.isArray(options.url)) body.urls = (options.url as string[]).map(parseUrlFlag)
  if (typeof options.metadata === 'string') {
    const text = options.metadata
    body.metadata = text.startsWith('@') ? readJson(text.slice(1), `--metadata ${text}`, stdin) : parseJson(text, '--metadata (use @file to read a file)')
  }
  for (const name of (options.clear as string[] | undefined) ?? []) {
    const field = CLEARABLE[name]
    if (field === undefined) {
      throw new UsageError(`--clear ${name}: only description, model, temperature, max-tokens, deployment and api-version can be cleared`)
    }
    body[field] = null
  }
  return body
}

export type { UpdateLlmBody }
