#!/usr/bin/env node
/**
 * `llm-registry`: the command line. `llms list|get|create|update|delete|history|export|import`
 * talk to a running server over HTTP (through llm-registry/client); `orgs`, `keys`, `db`,
 * `secrets` and `llms flag` are the operators' commands and open DATABASE_URL directly.
 */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Command, CommanderError } from 'commander'
import { ApiError, ConnectionError } from '../client/index.js'
import { AppError } from '../domain/errors.js'
import { DEFAULT_BASE_URL, addApiCommands } from './api-commands.js'
import { bashCompletion, zshCompletion } from './completion.js'
import { UsageError } from './llm-flags.js'
import { addOperatorCommands } from './operator-commands.js'
import { shown, type CliIo } from './output.js'
import { describeApiError } from './promote.js'

/** Exit codes, documented in the README and in --help. */
export const EXIT = { ok: 0, api: 1, usage: 2, unreachable: 3 } as const

const ROOT_HELP = `
Commands marked [API] talk to a running server: --base-url or LLM_REGISTRY_URL (default
${DEFAULT_BASE_URL}), with the API key in LLM_REGISTRY_API_KEY. Commands marked [database] are
for operators and open DATABASE_URL directly (default sqlite:./data/llm-registry.db).

Exit codes: 0 done, 1 the API refused (its message and each field's problem on stderr),
2 a usage error, 3 the server could not be reached.

Examples:
  export LLM_REGISTRY_API_KEY=llmr_…
  llm-registry llms list --no-defaults
  llm-registry keys create --org default
  source <(llm-registry completion bash)
`

export function buildProgram(io: CliIo): Command {
  const program = new Command('llm-registry')
    .description('LLM configurations (/v1/llms) from a terminal: the API for users, the database for operators.')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', ROOT_HELP)
  const llms = program
    .command('llms')
    .summary('[API] LLM configurations (and [database] llms flag)')
    .description('LLM configurations: [API] commands talk to the server, [database] ones open DATABASE_URL.')
    .addHelpText('after', '\nExample:\n  LLM_REGISTRY_API_KEY=llmr_… llm-registry llms list --all\n')
  addApiCommands(llms, io)
  addOperatorCommands(program, llms, io)
  program
    .command('completion')
    .summary('print a completion script for bash or zsh')
    .argument('<shell>', 'bash or zsh')
    .addHelpText('after', '\nExample:\n  source <(llm-registry completion bash)\n')
    .action((shell: string) => {
      if (shell === 'bash') io.out(bashCompletion(program))
      else if (shell === 'zsh') io.out(zshCompletion(program))
      else throw new UsageError('completion takes bash or zsh')
    })
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err })
  return program
}

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  process.exitCode = undefined
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' })
    return Number(process.exitCode ?? EXIT.ok)
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage
    }
    if (error instanceof ApiError) {
      io.err(`llm-registry: ${shown(describeApiError(error))}${error.requestId === undefined ? '' : ` [request ${shown(error.requestId)}]`}\n`)
      for (const detail of error.details ?? []) io.err(`  ${shown(detail.field)}: ${shown(detail.message)}\n`)
      return EXIT.api
    }
    if (error instanceof ConnectionError) {
      io.err(`llm-registry: ${error.message}\n`)
      return EXIT.unreachable
    }
    // ConfigError by name: the configuration module is loaded only by the commands that need it.
    if (error instanceof UsageError || error instanceof AppError || (error instanceof Error && error.name === 'ConfigError')) {
      io.err(`llm-registry: ${error.message}\n`)
      return EXIT.usage
    }
    io.err(`llm-registry: ${error instanceof Error ? error.message : String(error)}\n`)
    return EXIT.api
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    color: process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '',
  }
  process.exitCode = await runCli(process.argv.slice(2), io)
}
