#!/usr/bin/env node
// Builds the service (tsc into dist/), the server's bundle (dist/bundle/server.mjs) and the web
// console (Vite into dist/console) when their sources are newer than the last build (or with
// --always), so that `npm start` starts in about a second instead of recompiling every time.
// Prints the console's gzipped JavaScript and fails above its budget.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = fileURLToPath(new URL('..', import.meta.url))
const stamp = join(root, 'dist', '.build-stamp')
const inputs = ['src', 'bench', 'console', 'tsconfig.json', 'package.json']
/** The console's JavaScript, gzipped, may not exceed this (issue "Web console"). */
const CONSOLE_JS_BUDGET = 150 * 1024

function newest(path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs)
}

/** Sums the gzipped size of every script the console build wrote. */
function consoleJsBytes() {
  const assets = join(root, 'dist', 'console', 'assets')
  return readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name)), { level: 9 }).length, 0)
}

async function buildConsole() {
  const { build: viteBuild } = await import('vite')
  await viteBuild({ configFile: join(root, 'console', 'vite.config.ts') })
  const bytes = consoleJsBytes()
  const line = `console: ${(bytes / 1024).toFixed(1)} KB of JavaScript gzipped (budget ${CONSOLE_JS_BUDGET / 1024} KB)`
  if (bytes > CONSOLE_JS_BUDGET) throw new Error(`${line}: over budget`)
  process.stderr.write(`llm-registry: ${line}\n`)
}

/**
 * The server as one file with its dependencies (rolldown, Vite's bundler): Node resolves and
 * reads about a thousand small modules otherwise (Kysely alone is 280), which took half of the
 * start-up. Left outside: the native SQLite driver, what is loaded only when configured (pg,
 * Redis, prom-client), and the API reference UI, which serves files from its own package.
 */
async function bundleServer() {
  const { build: bundle } = await import('rolldown')
  await bundle({
    input: join(root, 'dist', 'src', 'server.js'),
    platform: 'node',
    external: [/^node:/, 'better-sqlite3', 'pg', 'redis', 'prom-client', '@fastify/swagger-ui'],
    output: { dir: join(root, 'dist', 'bundle'), format: 'esm', entryFileNames: 'server.mjs', sourcemap: true, cleanDir: true },
    logLevel: 'warn',
  })
}

/** Builds when the sources are newer than the last build, or always. */
export async function build({ always = false } = {}) {
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
  const changedAt = Math.max(...inputs.map((input) => join(root, input)).filter(existsSync).map(newest))
  if (!always && changedAt <= builtAt) return
  if (!always) process.stderr.write('llm-registry: sources changed since the last build; building (tsc, vite)…\n')
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
    stdio: 'inherit',
  })
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'console', 'tsconfig.json')], {
    stdio: 'inherit',
  })
  await bundleServer()
  await buildConsole()
  writeFileSync(stamp, `${new Date().toISOString()}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build({ always: process.argv.includes('--always') })
