/** The `llms` commands that talk to a running server over HTTP, through `llm-registry/client`. */
import { Command, Option } from 'commander'
import { createClient, type Client, type CreateLlmBody, type Preconditions, type UpdateLlmBody } from '../client/index.js'
import { UsageError, addFieldFlags, bodyFromFlags } from './llm-flags.js'
import { age, checkLines, llmBlock, llmTable, paint, printJson, shown, table, type CliIo } from './output.js'
import { applyImport, exportDocument, planImport, planLines, readExport, readSecretsFile } from './promote.js'
import { readSecret, readStdin } from './secret-input.js'

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080'

interface ApiOptions {
  baseUrl?: string
  apiKey?: string
  json?: boolean
}

const integer = (flag: string) => (text: string) => {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} must be a whole number (got "${text}")`)
  return Number(text)
}

/** The server and key: flags, then LLM_REGISTRY_URL / LLM_REGISTRY_API_KEY. */
function clientFor(io: CliIo, options: ApiOptions): Client {
  if (options.apiKey !== undefined) {
    io.err('llm-registry: warning: --api-key is visible to other users of this machine (ps); prefer LLM_REGISTRY_API_KEY\n')
  }
  const apiKey = options.apiKey ?? io.env.LLM_REGISTRY_API_KEY
  if (apiKey === undefined || apiKey === '') throw new UsageError('set LLM_REGISTRY_API_KEY to an API key (llmr_…)')
  return createClient({ baseUrl: options.baseUrl ?? io.env.LLM_REGISTRY_URL ?? DEFAULT_BASE_URL, apiKey })
}

/** A command that talks to the API: the shared options, an example, and [API] in its summary. */
function apiCommand(parent: Command, name: string, summary: string, example: string): Command {
  return parent
    .command(name)
    .summary(`[API] ${summary}`)
    .description(`${summary}\n\nTalks to the server at --base-url (or LLM_REGISTRY_URL, default ${DEFAULT_BASE_URL}) with LLM_REGISTRY_API_KEY.`)
    .option('--base-url <url>', 'the server (default: LLM_REGISTRY_URL or ' + DEFAULT_BASE_URL + ')')
    .addOption(new Option('--api-key <key>', 'an API key (visible to other users through ps: prefer LLM_REGISTRY_API_KEY)').hideHelp())
    .option('--json', 'print one JSON document on stdout and nothing else')
    .addHelpText('after', `\nExample:\n  ${example}\n`)
}

/** A write's --if-match and --if-none-match (`verb`: what the command does, "change" say). */
function withPreconditions(command: Command, verb: string): Command {
  return command
    .option('--if-match <etag>', `${verb} only if the LLM is still at this ETag (as get --etag prints it, or its version number; else it fails with 412 and changes nothing)`)
    .option('--if-none-match <etag>', `${verb} only if the LLM is no longer at this ETag (or version number; else it fails with 412 and changes nothing)`)
}

/** An ETag as the flag gives it: a bare version number (`3`) is the ETag `"3"`, as a shell drops quotes. */
const etagFlag = (value: string) => (/^\d+$/.test(value) ? `"${value}"` : value)

/** The preconditions the flags of withPreconditions give. */
function preconditionsOf(options: { ifMatch?: unknown; ifNoneMatch?: unknown } & object): Preconditions {
  return {
    ...(typeof options.ifMatch === 'string' && { ifMatch: etagFlag(options.ifMatch) }),
    ...(typeof options.ifNoneMatch === 'string' && { ifNoneMatch: etagFlag(options.ifNoneMatch) }),
  }
}

/** Asks the server for nothing it does not need: the body, and a secret only when asked for. */
async function withSecret<T extends Record<string, unknown>>(body: T, options: Record<string, unknown>): Promise<T> {
  if (!options.secretStdin) return body
  if (options.fromFile === '-') throw new UsageError('--secret-stdin and --from-file - both want standard input; give the body as a file')
  return { ...body, secret: await readSecret() }
}

export function addApiCommands(llms: Command, io: CliIo): void {
  apiCommand(llms, 'list', 'list the LLMs your organization sees (its own and the global ones)', 'llm-registry llms list --search gpt --no-defaults')
    .option('--search <text>', 'case-insensitive substring of name, model or description')
    .option('--page <n>', 'page number', integer('page'))
    .option('--per-page <n>', 'entries per page (1 to 100)', integer('per-page'))
    .option('--no-defaults', 'leave out the built-in defaults')
    .option('--all', 'every page, not just one')
    .action(async (options: ApiOptions & { search?: string; page?: number; perPage?: number; defaults: boolean; all?: boolean }) => {
      const client = clientFor(io, options)
      const query = { search: options.search, includeDefaults: options.defaults }
      // An empty table would be a header alone: say what was looked for instead.
      const none = () => paint(io, 'dim', `no LLMs${options.search === undefined ? '' : ` match ${JSON.stringify(options.search)}`}${options.defaults ? '' : ' (defaults left out)'}\n`)
      if (options.all) {
        const all = await client.llms.listAll(query)
        if (options.json) printJson(io, all)
        else io.out(all.length === 0 ? none() : llmTable(io, all) + paint(io, 'dim', `${all.length} LLM${all.length === 1 ? '' : 's'}\n`))
        return
      }
      const page = await client.llms.list({ ...query, page: options.page, perPage: options.perPage })
      if (options.json) return printJson(io, page)
      const { currentPage, lastPage, total } = page.meta
      if (total === 0) return io.out(none())
      if (page.data.length === 0) return io.out(paint(io, 'dim', `page ${currentPage} is past the last, ${lastPage} (${total} LLM${total === 1 ? '' : 's'})\n`))
      io.out(llmTable(io, page.data))
      io.out(paint(io, 'dim', `page ${currentPage} of ${lastPage} (${total} LLM${total === 1 ? '' : 's'})${lastPage > 1 ? '; --page n for another, --all for every page' : ''}\n`))
    })

  apiCommand(llms, 'get', 'show one LLM', 'llm-registry llms get 0934d97d-0c3a-4f33-91b0-5e136a0ef466')
    .argument('<id>', 'the LLM id')
    .option('--etag', 'print only its ETag (for --if-match in a safe read-modify-write)')
    .action(async (id: string, options: ApiOptions & { etag?: boolean }) => {
      const { data, etag } = await clientFor(io, options).llms.get(id)
      if (options.etag) io.out(`${etag}\n`)
      else if (options.json) printJson(io, data)
      else io.out(llmBlock(io, data, etag))
    })

  addFieldFlags(
    apiCommand(
      llms,
      'create',
      'create an LLM',
      "printf %s \"$OPENAI_KEY\" | llm-registry llms create --display-name 'My GPT-4o' --format openai --model gpt-4o \\\n    --url https://api.openai.com/v1/chat/completions --secret-stdin",
    ),
  )
    .option('--id <uuid>', 'keep this id (a UUID) instead of a new one')
    .action(async (options: ApiOptions & Record<string, unknown>) => {
      const body = await withSecret(bodyFromFlags(options, readStdin), options)
      const id = typeof options.id === 'string' ? options.id : undefined
      const { data, etag } = await clientFor(io, options).llms.create(body as CreateLlmBody, { id })
      if (options.json) printJson(io, data)
      else io.out(llmBlock(io, data, etag))
    })

  const update = addFieldFlags(
    apiCommand(
      llms,
      'update',
      'change only the fields given',
      'llm-registry llms update "$ID" --temperature 0.4 --clear max-tokens --if-match "$(llm-registry llms get "$ID" --etag)"',
    ),
  )
    .argument('<id>', 'the LLM id')
    .option('--clear <field>', 'set a nullable field to null (description, model, temperature, max-tokens, deployment, api-version); repeatable', (v: string, p: string[] = []) => [...p, v])
  withPreconditions(update, 'change').action(async (id: string, options: ApiOptions & Record<string, unknown>) => {
    const body = await withSecret(bodyFromFlags(options, readStdin), options)
    if (Object.keys(body).length === 0) throw new UsageError('llms update needs at least one field flag, --clear, --from-file or --secret-stdin')
    const { data, etag } = await clientFor(io, options).llms.update(id, body as UpdateLlmBody, preconditionsOf(options))
    if (options.json) printJson(io, data)
    else io.out(llmBlock(io, data, etag))
  })

  const remove = apiCommand(llms, 'delete', 'delete an LLM your organization owns', 'llm-registry llms delete "$ID" --yes')
    .argument('<id>', 'the LLM id')
    .option('--yes', 'do not ask for confirmation (needed when standard input is not a terminal)')
  withPreconditions(remove, 'delete').action(async (id: string, options: ApiOptions & { yes?: boolean; ifMatch?: string; ifNoneMatch?: string }) => {
    const client = clientFor(io, options)
    if (!options.yes) {
      if (!process.stdin.isTTY) throw new UsageError('llms delete asks for confirmation; pass --yes when not on a terminal')
      const { data } = await client.llms.get(id)
      const { createInterface } = await import('node:readline/promises')
      const prompt = createInterface({ input: process.stdin, output: process.stderr })
      const answer = await prompt.question(`Delete "${shown(data.displayName)}" (${shown(id)})? [y/N] `)
      prompt.close()
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.err('not deleted\n')
        return
      }
    }
    await client.llms.delete(id, preconditionsOf(options))
    if (options.json) printJson(io, { deleted: id })
    else io.out(`deleted ${id}\n`)
  })

  apiCommand(llms, 'history', "show who changed an LLM, when, and which fields", 'llm-registry llms history "$ID" --per-page 20')
    .argument('<id>', 'the LLM id')
    .option('--page <n>', 'page number', integer('page'))
    .option('--per-page <n>', 'entries per page (1 to 100)', integer('per-page'))
    .action(async (id: string, options: ApiOptions & { page?: number; perPage?: number }) => {
      const history = await clientFor(io, options).llms.history(id, { page: options.page, perPage: options.perPage })
      if (options.json) return printJson(io, history)
      io.out(
        table(
          io,
          ['VERSION', 'WHEN', 'ACTION', 'BY', 'FIELDS'],
          history.data.map((e) => [String(e.version ?? '-'), e.at, e.action, e.keyId, e.fields.join(', ')]),
        ),
      )
      io.out(paint(io, 'dim', `page ${history.meta.currentPage} of ${history.meta.lastPage} (${history.meta.total} entries)\n`))
    })

  apiCommand(llms, 'versions', "list an LLM's kept versions: what made each, who, when, which fields", 'llm-registry llms versions "$ID"')
    .argument('<id>', 'the LLM id')
    .option('--page <n>', 'page number', integer('page'))
    .option('--per-page <n>', 'entries per page (1 to 100)', integer('per-page'))
    .action(async (id: string, options: ApiOptions & { page?: number; perPage?: number }) => {
      const versions = await clientFor(io, options).llms.versions(id, { page: options.page, perPage: options.perPage })
      if (options.json) return printJson(io, versions)
      io.out(
        table(
          io,
          ['VERSION', 'WHEN', 'ACTION', 'BY', 'FIELDS'],
          versions.data.map((v) => [
            String(v.version),
            `${v.at} (${age(v.at)})`,
            v.restoredFrom === null ? v.action : `restore of ${v.restoredFrom}`,
            v.keyId,
            v.changedFields.join(', '),
          ]),
        ),
      )
      io.out(paint(io, 'dim', `page ${versions.meta.currentPage} of ${versions.meta.lastPage} (${versions.meta.total} kept); compare two with llms diff <id> <a> <b>\n`))
    })

  apiCommand(llms, 'diff', 'show the fields that differ between two versions, with both values', 'llm-registry llms diff "$ID" 3 5')
    .argument('<id>', 'the LLM id')
    .argument('<from>', 'a version', integer('from'))
    .argument('<to>', 'another version', integer('to'))
    .action(async (id: string, from: number, to: number, options: ApiOptions) => {
      const diff = await clientFor(io, options).llms.diff(id, from, to)
      if (options.json) return printJson(io, diff)
      if (diff.changes.length === 0) return io.out(`versions ${from} and ${to} hold the same settings\n`)
      const show = (value: unknown) => (value === null || value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value))
      io.out(table(io, ['FIELD', `VERSION ${from}`, `VERSION ${to}`], diff.changes.map((c) => [c.field, show(c.from), show(c.to)])))
    })

  const restore = apiCommand(llms, 'restore', "make a kept version's settings the LLM's again (the current credential is kept)", 'llm-registry llms restore "$ID" 2')
    .argument('<id>', 'the LLM id')
    .argument('<version>', 'the version to restore', integer('version'))
  withPreconditions(restore, 'restore').action(async (id: string, version: number, options: ApiOptions & { ifMatch?: string; ifNoneMatch?: string }) => {
    const { data, etag } = await clientFor(io, options).llms.restore(id, version, preconditionsOf(options))
    if (options.json) return printJson(io, data)
    io.err(`${data.message}\n`)
    io.out(llmBlock(io, data.llm, etag))
  })

  apiCommand(llms, 'check', 'call the upstream with this configuration and say whether it answers, and why not', 'llm-registry llms check "$ID" --completion --all')
    .argument('<id>', 'the LLM id')
    .option('--region <region>', 'check the URL this region picks')
    .option('--all', 'check every URL')
    .option('--completion', 'stream a short real answer (may bill a few tokens) instead of asking about the model')
    .option('--prompt <text>', 'the prompt of a completion check')
    .option('--last', 'show the last check instead of running one')
    .action(async (id: string, options: ApiOptions & { region?: string; all?: boolean; completion?: boolean; prompt?: string; last?: boolean }) => {
      const client = clientFor(io, options)
      const result = options.last
        ? await client.llms.lastCheck(id)
        : await client.llms.check(id, {
            region: options.region,
            all: options.all,
            mode: options.completion || options.prompt !== undefined ? 'completion' : 'model',
            prompt: options.prompt,
          })
      if (options.json) printJson(io, result)
      else io.out(checkLines(io, result))
      if (!result.ok) process.exitCode = 1
    })

  apiCommand(llms, 'export', "write your organization's LLMs as one JSON document (never a secret)", 'llm-registry llms export --no-defaults > llms.json')
    .option('--search <text>', 'only the LLMs whose name, model or description contains this')
    .option('--no-defaults', 'leave out the built-in defaults')
    .action(async (options: ApiOptions & { search?: string; defaults: boolean }) => {
      const all = await clientFor(io, options).llms.listAll({ search: options.search, includeDefaults: options.defaults })
      printJson(io, exportDocument(all))
    })

  apiCommand(
    llms,
    'import',
    'apply an export to this server: plan first (create, update, unchanged), then apply',
    'LLM_REGISTRY_URL=https://prod.example llm-registry llms import llms.json --dry-run',
  )
    .argument('<file>', 'the export document, or - for standard input')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--secrets-from <file>', 'credentials for records that need one: a JSON object of id → secret, readable by you alone')
    .action(async (file: string, options: ApiOptions & { dryRun?: boolean; secretsFrom?: string }) => {
      const document = readExport(file, readStdin)
      const secrets = options.secretsFrom === undefined ? new Map<string, string>() : readSecretsFile(options.secretsFrom, readStdin)
      const client = clientFor(io, options)
      const plan = await planImport(client, document, secrets)
      const planned = plan.map(({ action, id, name, ...rest }) => ({
        action,
        id,
        name,
        ...('fields' in rest && { fields: rest.fields }),
        ...('reason' in rest && { reason: rest.reason }),
      }))
      const work = plan.filter((step) => step.action === 'create' || step.action === 'update')
      if (!options.json) {
        io.out(`${planLines(plan).map(shown).join('\n')}\n`)
        io.out(paint(io, 'dim', `${work.length} to apply, ${plan.length - work.length} not\n`))
      }
      if (options.dryRun || work.length === 0) {
        if (options.json) printJson(io, { plan: planned, applied: false, results: [] })
        else io.out(options.dryRun ? 'dry run: nothing changed\n' : 'nothing to do\n')
        if (plan.some((step) => step.action === 'skip')) process.exitCode = 1
        return
      }
      const results = await applyImport(client, plan)
      if (options.json) printJson(io, { plan: planned, applied: true, results })
      else for (const r of results) if (r.action !== 'unchanged') io.out(shown(`${r.ok ? 'done' : 'FAILED'}  ${r.action.padEnd(9)} ${r.id}  ${r.name}${r.detail === undefined ? '' : `: ${r.detail}`}`) + '\n')
      if (results.some((r) => !r.ok)) process.exitCode = 1
    })
}
