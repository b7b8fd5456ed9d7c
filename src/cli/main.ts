#!/usr/bin/env node
/** `llm-registry`: the operators' command line, on the same DATABASE_URL as the server. */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ConfigError, databaseOf, loadConfig } from '../config.js'
import { chooseKey } from '../crypto/key-choice.js'
import { AppError } from '../domain/errors.js'
import type { OrganizationService } from '../domain/organizations.js'
import { rotateSecrets } from '../domain/secret-rotation.js'
import { organizationsOf } from '../services.js'
import { openDatabase, type Storage } from '../storage/database.js'
import { OPERATOR } from '../storage/audit.js'
import { KyselyLlmRepository } from '../storage/llm-repository.js'
import { prepareDatabase } from '../storage/prepare.js'
import { KyselySecretStore } from '../storage/secret-store.js'
import { copyDatabase } from '../storage/copy.js'

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
}

const USAGE = `Usage: llm-registry <command>

  orgs create <name>                 create an organization; prints its id
  orgs list                          list organizations
  keys create --org <id|name> [--read-only]
                                     create an API key; prints the raw key once, nothing else
  keys list --org <id|name>          list an organization's keys (never the keys themselves)
  keys revoke <key-id>               revoke a key at once
  llms flag <id> [--global|--no-global] [--zdr|--no-zdr] [--tags a,b]
                                     set the service-managed fields of an LLM
  db copy --from <url> --to <url> [--force]
                                     copy organizations, keys and LLMs between databases
  secrets rotate-key [--limit N]     re-encrypt every secret under LLMS_ENCRYPTION_KEY, opening
                                     them with LLMS_PREVIOUS_ENCRYPTION_KEYS; safe to re-run

The database is DATABASE_URL (default sqlite:./data/llm-registry.db); it is created and
migrated when new.`

class UsageError extends Error {}

async function withStorage<T>(io: CliIo, work: (storage: Storage) => Promise<T>): Promise<T> {
  // The CLI never opens a secret, so it needs the database and not the encryption key.
  const storage = openDatabase(databaseOf(io.env))
  try {
    await prepareDatabase(storage)
    return await work(storage)
  } finally {
    await storage.close()
  }
}

async function findOrg(orgs: OrganizationService, idOrName: string | undefined) {
  if (idOrName === undefined) throw new UsageError('--org <id|name> is required')
  const org = await orgs.findOrganization(idOrName)
  if (org === undefined) throw new UsageError(`no organization with id or name "${idOrName}"`)
  return org
}

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    strict: true,
    options: {
      org: { type: 'string' },
      'read-only': { type: 'boolean' },
      global: { type: 'boolean' },
      zdr: { type: 'boolean' },
      tags: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      force: { type: 'boolean' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [group, action, arg] = positionals
  if (values.help || group === undefined) {
    io.out(`${USAGE}\n`)
    return 0
  }
  const command = `${group} ${action ?? ''}`.trim()
  switch (command) {
    case 'orgs create': {
      if (arg === undefined || arg.trim() === '') throw new UsageError('orgs create needs a name')
      return withStorage(io, async (storage) => {
        const orgs = organizationsOf(storage)
        if ((await orgs.findOrganization(arg)) !== undefined) throw new UsageError(`organization "${arg}" exists already`)
        const org = await orgs.createOrganization(arg)
        io.err(`created organization "${org.name}"\n`)
        io.out(`${org.id}\n`)
        return 0
      })
    }
    case 'orgs list':
      return withStorage(io, async (storage) => {
        for (const org of await organizationsOf(storage).listOrganizations()) {
          io.out(`${org.id}\t${org.name}\t${org.createdAt}\n`)
        }
        return 0
      })
    case 'keys create':
      return withStorage(io, async (storage) => {
        const orgs = organizationsOf(storage)
        const org = await findOrg(orgs, values.org)
        const permissions = values['read-only'] ? (['llms:read'] as const) : (['llms:read', 'llms:write'] as const)
        const key = await orgs.createApiKey(org.id, permissions)
        io.err(`created key ${key.id} for "${org.name}" with ${permissions.join(', ')}; it is shown this once\n`)
        io.out(`${key.raw}\n`)
        return 0
      })
    case 'keys list':
      return withStorage(io, async (storage) => {
        const orgs = organizationsOf(storage)
        const org = await findOrg(orgs, values.org)
        for (const key of await orgs.listApiKeys(org.id)) {
          const state = key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`
          io.out(`${key.id}\t${key.permissions.join(',')}\t${key.createdAt}\t${state}\n`)
        }
        return 0
      })
    case 'keys revoke': {
      if (arg === undefined) throw new UsageError('keys revoke needs a key id')
      return withStorage(io, async (storage) => {
        if (!(await organizationsOf(storage).revokeApiKey(arg))) {
          throw new UsageError(`no active key with id "${arg}"`)
        }
        io.err(`revoked key ${arg}\n`)
        return 0
      })
    }
    case 'llms flag': {
      if (arg === undefined) throw new UsageError('llms flag needs an LLM id')
      const tags = values.tags?.split(',').map((t) => t.trim()).filter((t) => t !== '')
      if (values.global === undefined && values.zdr === undefined && tags === undefined) {
        throw new UsageError('llms flag needs --global/--no-global, --zdr/--no-zdr or --tags')
      }
      return withStorage(io, async (storage) => {
        const updated = await new KyselyLlmRepository(storage).modify(arg, (current) => {
          if (current === undefined) return null
          return {
            ...current,
            isGlobal: values.global ?? current.isGlobal,
            isZdr: values.zdr ?? current.isZdr,
            displayTags: tags ?? current.displayTags,
            updatedAt: new Date().toISOString(),
          }
        }, OPERATOR)
        if (updated === undefined) throw new UsageError(`no LLM with id "${arg}"`)
        io.out(
          `${updated.id}\tisGlobal=${updated.isGlobal}\tisZdr=${updated.isZdr}\tdisplayTags=${updated.displayTags.join(',')}\n`,
        )
        return 0
      })
    }
    case 'db copy': {
      if (values.from === undefined || values.to === undefined) throw new UsageError('db copy needs --from and --to')
      const report = await copyDatabase(values.from, values.to, { force: values.force ?? false })
      for (const [table, count] of Object.entries(report)) io.out(`${table}\t${count}\n`)
      io.err('copied; counts verified on the target\n')
      return 0
    }
    case 'secrets rotate-key': {
      const limit = values.limit === undefined ? Infinity : Number(values.limit)
      if (!(limit > 0)) throw new UsageError('--limit must be a positive number')
      const config = loadConfig(io.env)
      const { box } = chooseKey(config)
      const storage = openDatabase(config.database)
      try {
        await prepareDatabase(storage)
        const report = await rotateSecrets(new KyselySecretStore(storage.db), box, limit)
        io.out(`rotated\t${report.rotated}\nremaining\t${report.remaining}\n`)
        io.err(
          report.remaining === 0
            ? `every secret is sealed under key ${box.keyId}; LLMS_PREVIOUS_ENCRYPTION_KEYS can be dropped once every instance runs with the new key\n`
            : `${report.remaining} secret(s) still under an older key: run the command again\n`,
        )
        return 0
      } finally {
        await storage.close()
      }
    }
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

async function main(): Promise<void> {
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  }
  try {
    process.exitCode = await runCli(process.argv.slice(2), io)
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof AppError) {
      io.err(`llm-registry: ${error.message}\n`)
      process.exitCode = 2
    } else if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.err(`llm-registry: ${error.message}\n\n${USAGE}\n`)
      process.exitCode = 2
    } else {
      io.err(`llm-registry: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 1
    }
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
