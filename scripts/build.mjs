#!/usr/bin/env node
// Builds the service into dist/ when its sources are newer than the last build (or with --always),
// so that `npm start` starts in about a second instead of recompiling every time.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const stamp = join(root, 'dist', '.build-stamp')
const inputs = ['src', 'bench', 'tsconfig.json', 'package.json']

function newest(path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs)
}

/** Builds when the sources are newer than the last build, or always. */
export function build({ always = false } = {}) {
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
  const changedAt = Math.max(...inputs.map((input) => join(root, input)).filter(existsSync).map(newest))
  if (!always && changedAt <= builtAt) return
  if (!always) process.stderr.write('llm-registry: sources changed since the last build; building (tsc)…\n')
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
    stdio: 'inherit',
  })
  writeFileSync(stamp, `${new Date().toISOString()}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build({ always: process.argv.includes('--always') })
