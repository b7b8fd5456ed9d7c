/** Runs the built server and CLI as real processes, the way an operator does. */
import { spawn, type ChildProcess } from 'node:child_process'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SERVER_NODE_FLAGS } from '../node-flags.js'

const ABOVE_SRC = fileURLToPath(new URL('../../', import.meta.url))
/** The repository, whether this file runs from src/ (Vitest) or from its build in dist/ (browser tests, benchmark). */
export const REPO_ROOT = basename(ABOVE_SRC) === 'dist' ? dirname(ABOVE_SRC) : ABOVE_SRC
/** The server as `npm start` runs it: the bundle (see scripts/build.mjs). */
export const SERVER_JS = join(REPO_ROOT, 'dist/bundle/server.mjs')
export const CLI_JS = join(REPO_ROOT, 'dist/src/cli/main.js')
/** The web console as `npm run build` leaves it. */
export const CONSOLE_DIR = join(REPO_ROOT, 'dist/console')

export interface ServerProcess {
  child: ChildProcess
  baseUrl: string
  /** Everything printed so far on stdout and stderr. */
  output: () => string
  /** Sends SIGTERM and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Waits until `child` exits; resolves with its exit code. */
function exited(child: ChildProcess): Promise<number | null> {
  // A process killed by a signal has no exit code, only a signal code.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

/** Starts the server on a free port; resolves once it listens (or rejects with its output). */
export async function startServer(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_JS], {
    // The listening address is read from the info-level log line, so the level stays at info.
    // Tests send many requests from one address with one key: limits are off unless a test sets them.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0', AUTH_FAILURES_PER_MINUTE: '0', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += String(chunk)))
  child.stderr?.on('data', (chunk) => (output += String(chunk)))
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), timeoutMs)
    const check = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${output}`))
    })
  })
  // The first-start banner is written right after listening; give it a moment to arrive.
  await new Promise((r) => setTimeout(r, 50))
  return {
    child,
    baseUrl,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      return exited(child)
    },
  }
}

/** Starts the server expecting it to refuse; resolves with its exit code and output. */
export async function startFailingServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_JS], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += String(chunk)))
  child.stderr?.on('data', (chunk) => (output += String(chunk)))
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const code = await exited(child)
  clearTimeout(timer)
  return { code, output }
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `llm-registry <args>` with the given environment (and standard input, when given). */
export async function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_JS, ...args], {
    env: { ...process.env, NO_COLOR: '', ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  child.stdin?.end(input)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => (stdout += String(chunk)))
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)))
  const code = await exited(child)
  return { code, stdout, stderr }
}

/** Creates an organization and a read-write key through the CLI, as an operator would; returns the raw key. */
export async function createOrgKey(env: Record<string, string>, name = 'acme'): Promise<string> {
  const org = await runCli(['orgs', 'create', name], env)
  if (org.code !== 0) throw new Error(`orgs create failed: ${org.stderr}`)
  const key = await runCli(['keys', 'create', '--org', name], env)
  if (key.code !== 0) throw new Error(`keys create failed: ${key.stderr}`)
  return key.stdout.trim()
}

export interface ProcessReply {
  status: number
  headers: Headers
  text: string
  /** The parsed body, or undefined when it is empty. */
  body: any
}

/** One request to a server process; 15 s at most, so a hang fails the test instead of stalling it. */
export async function callServer(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ProcessReply> {
  const { key, body, headers } = options
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(key !== undefined && { authorization: `Bearer ${key}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : JSON.parse(text) }
}
