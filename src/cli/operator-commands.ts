/** The operators' commands: they open DATABASE_URL themselves (creating and migrating it when new), never the API. */
import type { Command } from 'commander'
import type { OrganizationService } from '../domain/organizations.js'
import type { Storage } from '../storage/database.js'
import { UsageError } from './llm-flags.js'
import { shown, type CliIo } from './output.js'

// The storage, crypto and configuration modules are loaded by the commands that use them, so the
// API commands (and --help) start without them.
const load = {
  config: () => import('../config.js'),
  services: () => import('../services.js'),
  database: () => import('../storage/database.js'),
  prepare: () => import('../storage/prepare.js'),
}

async function withStorage<T>(io: CliIo, work: (storage: Storage) => Promise<T>): Promise<T> {
  // Only key rotation opens a secret; the others need the database and not the encryption key.
  const [{ databaseOf }, { openDatabase }, { prepareDatabase }] = await Promise.all([load.config(), load.database(), load.prepare()])
  const storage = openDatabase(databaseOf(io.env))
  try {
    await prepareDatabase(storage)
    return await work(storage)
  } finally {
    await storage.close()
  }
}

async function organizationsOf(storage: Storage): Promise<OrganizationService> {
  return (await load.services()).organizationsOf(storage)
}

async function findOrg(orgs: OrganizationService, idOrName: string) {
  const org = await orgs.findOrganization(idOrName)
  if (org === undefined) throw new UsageError(`no organization with id or name "${idOrName}"`)
  return org
}

/** A command that opens the database: [database] in its summary, and an example. */
function databaseCommand(parent: Command, name: string, summary: string, example: string): Command {
  return parent
    .command(name)
    .summary(`[database] ${summary}`)
    .description(`${summary}\n\nOpens DATABASE_URL (default sqlite:./data/llm-registry.db) directly, creating and migrating it when new.`)
    .addHelpText('after', `\nExample:\n  ${example}\n`)
}

export function addOperatorCommands(program: Command, llms: Command, io: CliIo): void {
  const orgs = program.command('orgs').summary('[database] organizations').description('Organizations (operators; opens DATABASE_URL).')
  orgs.addHelpText('after', `\nExample:\n  llm-registry orgs list\n`)
  databaseCommand(orgs, 'create', 'create an organization; prints its id', 'llm-registry orgs create acme')
    .argument('<name>', 'a unique name')
    .action(async (name: string) => {
      if (name.trim() === '') throw new UsageError('orgs create needs a name')
      await withStorage(io, async (storage) => {
        const service = await organizationsOf(storage)
        if ((await service.findOrganization(name)) !== undefined) throw new UsageError(`organization "${name}" exists already`)
        const org = await service.createOrganization(name)
        io.err(`created organization "${org.name}"\n`)
        io.out(`${org.id}\n`)
      })
    })
  databaseCommand(orgs, 'list', 'list organizations', 'llm-registry orgs list').action(async () => {
    await withStorage(io, async (storage) => {
      for (const org of await (await organizationsOf(storage)).listOrganizations()) io.out(`${org.id}\t${shown(org.name)}\t${org.createdAt}\n`)
    })
  })

  const keys = program.command('keys').summary('[database] API keys').description('API keys (operators; opens DATABASE_URL).')
  keys.addHelpText('after', `\nExample:\n  llm-registry keys create --org default\n`)
  databaseCommand(keys, 'create', 'create an API key; prints the raw key once, and nothing else on stdout', 'llm-registry keys create --org default')
    .requiredOption('--org <id|name>', 'the organization')
    .option('--read-only', 'llms:read only (default: llms:read and llms:write)')
    .action(async (options: { org: string; readOnly?: boolean }) => {
      await withStorage(io, async (storage) => {
        const service = await organizationsOf(storage)
        const org = await findOrg(service, options.org)
        const permissions = options.readOnly ? (['llms:read'] as const) : (['llms:read', 'llms:write'] as const)
        const key = await service.createApiKey(org.id, permissions)
        io.err(`created key ${key.id} for "${org.name}" with ${permissions.join(', ')}; it is shown this once\n`)
        io.out(`${key.raw}\n`)
      })
    })
  databaseCommand(keys, 'list', "list an organization's keys (never the keys themselves)", 'llm-registry keys list --org default')
    .requiredOption('--org <id|name>', 'the organization')
    .action(async (options: { org: string }) => {
      await withStorage(io, async (storage) => {
        const service = await organizationsOf(storage)
        const org = await findOrg(service, options.org)
        for (const key of await service.listApiKeys(org.id)) {
          const state = key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`
          io.out(`${key.id}\t${key.permissions.join(',')}\t${key.createdAt}\t${state}\n`)
        }
      })
    })
  databaseCommand(keys, 'revoke', 'revoke a key; running servers refuse it within 2 s', 'llm-registry keys revoke 0123456789abcdef')
    .argument('<key-id>', 'the 16 hex characters after llmr_')
    .action(async (keyId: string) => {
      await withStorage(io, async (storage) => {
        if (!(await (await organizationsOf(storage)).revokeApiKey(keyId))) throw new UsageError(`no active key with id "${keyId}"`)
        io.err(`revoked key ${keyId}\n`)
      })
    })

  databaseCommand(llms, 'flag', 'set the service-managed fields of an LLM', 'llm-registry llms flag "$ID" --global --tags openai,fast')
    .argument('<id>', 'the LLM id')
    .option('--global', 'visible to every organization')
    .option('--no-global', 'visible to its own organization only')
    .option('--zdr', 'meets Zero Data Retention requirements')
    .option('--no-zdr', 'does not')
    .option('--tags <a,b>', 'display tags, comma-separated')
    .action(async (id: string, options: { global?: boolean; zdr?: boolean; tags?: string }) => {
      const tags = options.tags?.split(',').map((t) => t.trim()).filter((t) => t !== '')
      if (options.global === undefined && options.zdr === undefined && tags === undefined) {
        throw new UsageError('llms flag needs --global/--no-global, --zdr/--no-zdr or --tags')
      }
      await withStorage(io, async (storage) => {
        const { KyselyLlmRepository } = await import('../storage/llm-repository.js')
        const { OPERATOR } = await import('../storage/audit.js')
        const updated = await new KyselyLlmRepository(storage).modify(
          id,
          (current) =>
            current === undefined
              ? null
              : {
                  ...current,
                  isGlobal: options.global ?? current.isGlobal,
                  isZdr: options.zdr ?? current.isZdr,
                  displayTags: tags ?? current.displayTags,
                  updatedAt: new Date().toISOString(),
                },
          OPERATOR,
        )
        if (updated === undefined) throw new UsageError(`no LLM with id "${id}"`)
        io.out(`${updated.id}\tisGlobal=${updated.isGlobal}\tisZdr=${updated.isZdr}\tdisplayTags=${updated.displayTags.join(',')}\n`)
      })
    })

  const db = program.command('db').summary('[database] move data between databases').description('Databases (operators).')
  db.addHelpText('after', `\nExample:\n  llm-registry db copy --from sqlite:./data/llm-registry.db --to "$DATABASE_URL"\n`)
  databaseCommand(db, 'copy', 'copy organizations, keys, LLMs and the audit trail between databases', 'llm-registry db copy --from sqlite:./data/llm-registry.db --to "$DATABASE_URL"')
    .requiredOption('--from <url>', 'the source DATABASE_URL')
    .requiredOption('--to <url>', 'the target DATABASE_URL')
    .option('--force', 'replace what the target holds')
    .action(async (options: { from: string; to: string; force?: boolean }) => {
      const { copyDatabase } = await import('../storage/copy.js')
      const report = await copyDatabase(options.from, options.to, { force: options.force ?? false })
      for (const [table, count] of Object.entries(report)) io.out(`${table}\t${count}\n`)
      io.err('copied; counts verified on the target\n')
    })

  const secrets = program.command('secrets').summary('[database] stored credentials').description('Stored credentials (operators).')
  secrets.addHelpText('after', `\nExample:\n  llm-registry secrets rotate-key\n`)
  databaseCommand(
    secrets,
    'rotate-key',
    're-encrypt every secret under LLMS_ENCRYPTION_KEY, opening them with LLMS_PREVIOUS_ENCRYPTION_KEYS; safe to re-run',
    'LLMS_ENCRYPTION_KEY=$NEW LLMS_PREVIOUS_ENCRYPTION_KEYS=$OLD llm-registry secrets rotate-key',
  )
    .option('--limit <n>', 'stop after this many', (text: string) => {
      const value = /^\d+$/.test(text) ? Number(text) : 0
      if (value === 0) throw new UsageError(`--limit must be a whole number above 0 (got "${text}")`)
      return value
    })
    .action(async (options: { limit?: number }) => {
      const [{ loadConfig }, { chooseKey }, { rotateSecrets }, { KyselySecretStore }, { openDatabase }, { prepareDatabase }] = await Promise.all([
        load.config(),
        import('../crypto/key-choice.js'),
        import('../domain/secret-rotation.js'),
        import('../storage/secret-store.js'),
        load.database(),
        load.prepare(),
      ])
      const config = loadConfig(io.env)
      const { box } = chooseKey(config)
      const storage = openDatabase(config.database)
      try {
        await prepareDatabase(storage)
        const report = await rotateSecrets(new KyselySecretStore(storage.db), box, options.limit ?? Infinity)
        io.out(`rotated\t${report.rotated}\nremaining\t${report.remaining}\n`)
        io.err(
          report.remaining === 0
            ? `every secret is sealed under key ${box.keyId}; LLMS_PREVIOUS_ENCRYPTION_KEYS can be dropped once every instance runs with the new key\n`
            : `${report.remaining} secret(s) still under an older key: run the command again\n`,
        )
      } finally {
        await storage.close()
      }
    })
}
