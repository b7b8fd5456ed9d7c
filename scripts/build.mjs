#!/usr/bin/env node
// Builds the service (tsc into dist/) and the web console (Vite into dist/console) when their
// sources are newer than the last build (or with --always), so that `npm start` starts in about a
// second instead of recompiling every time. Prints the console's gzipped JavaScript and fails
// above its budget.
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
  await buildConsole()
  writeFileSync(stamp, `${new Date().toISOString()}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build({ always: process.argv.includes('--always') })
