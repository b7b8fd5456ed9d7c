/** The CLI's API commands, run as a subprocess against a running server, as a user runs them. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness, type Tenant } from '../testing/harness.js'
import { startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js'
import { runCli } from '../testing/process.js'

let h: Harness
let other: Harness
let fake: FakeUpstream
const PROVIDER_KEY = 'sk-provider-cli-000000'
beforeAll(async () => {
  ;[h, other, fake] = await Promise.all([
    startHarness({ upstream: { allowPrivate: true, totalTimeoutMs: 2_000 } }),
    startHarness(),
    startFakeUpstream(PROVIDER_KEY),
  ])
})
afterAll(async () => {
  await Promise.all([stopHarness(h), stopHarness(other), fake.close()])
  rmSync(dir, { recursive: true, force: true })
})

const dir = mkdtempSync(join(tmpdir(), 'llmr-cli-'))
const envOf = (server: Harness, t: Tenant) => ({ LLM_REGISTRY_URL: server.baseUrl, LLM_REGISTRY_API_KEY: t.key })

async function cli(t: Tenant, args: string[], input?: string, server = h) {
  return runCli(args, envOf(server, t), input)
}

async function json(t: Tenant, args: string[], input?: string, server = h) {
  const result = await cli(t, [...args, '--json'], input, server)
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout)
}

const CREATE = ['llms', 'create', '--display-name', 'CLI GPT', '--format', 'openai', '--model', 'gpt-4o', '--url', 'https://api.openai.com/v1/chat/completions']

describe('llm-registry llms (API commands)', () => {
  test('create with every field flag; the secret comes on stdin and appears in no output, log or argv', async () => {
    const t = await h.tenant()
    const secret = `sk-cli-${crypto.randomUUID()}`
    writeFileSync(join(dir, 'meta.json'), '{"team":"voice"}')
    const args = [
      ...CREATE,
      '--description', 'made by the CLI',
      '--temperature', '0.4',
      '--max-tokens', '256',
      '--deployment', 'prod',
      '--api-version', '2024-10-21',
      '--reasoning-effort', 'low',
      '--reasoning-format', 'hidden',
      '--url', 'https://eu.example.com/v1/chat/completions@eu',
      '--metadata', `@${join(dir, 'meta.json')}`,
      '--secret-stdin',
      '--json',
    ]
    const logsBefore = h.logs.length
    const result = await cli(t, args, `${secret}\n`)
    expect(result.code, result.stderr).toBe(0)
    const llm = JSON.parse(result.stdout)
    expect(llm).toMatchObject({
      displayName: 'CLI GPT',
      description: 'made by the CLI',
      llmFormat: 'openai',
      modelName: 'gpt-4o',
      temperature: 0.4,
      maxTokens: 256,
      deploymentName: 'prod',
      apiVersion: '2024-10-21',
      reasoningEffort: 'low',
      reasoningFormat: 'hidden',
      metadata: { team: 'voice' },
      hasSecret: true,
      urls: [{ url: 'https://api.openai.com/v1/chat/completions' }, { url: 'https://eu.example.com/v1/chat/completions', region: 'eu' }],
    })
    expect(h.box.open((await h.stored(llm.id))?.sealedSecret ?? '', llm.id)).toBe(secret)
    for (const text of [result.stdout, result.stderr, args.join(' '), ...h.logs.slice(logsBefore)]) expect(text).not.toContain(secret)
    const shown = await cli(t, ['llms', 'get', llm.id])
    expect(shown.stdout).not.toContain(secret)
    expect(shown.stdout).toMatch(/secret\s+set /)
  })

  test.each([
    [['--display-name', 'Renamed'], { displayName: 'Renamed' }],
    [['--description', 'new words'], { description: 'new words' }],
    [['--format', 'custom'], { llmFormat: 'custom' }],
    [['--model', 'gpt-4o-mini'], { modelName: 'gpt-4o-mini' }],
    [['--temperature', '1.5'], { temperature: 1.5 }],
    [['--max-tokens', '77'], { maxTokens: 77 }],
    [['--deployment', 'dep'], { deploymentName: 'dep' }],
    [['--api-version', 'v9'], { apiVersion: 'v9' }],
    [['--reasoning-effort', 'high'], { reasoningEffort: 'high' }],
    [['--reasoning-format', 'raw'], { reasoningFormat: 'raw' }],
    [['--url', 'https://a.example/v1@us', '--url', 'https://b.example/v1'], { urls: [{ url: 'https://a.example/v1', region: 'us' }, { url: 'https://b.example/v1' }] }],
    [['--metadata', '{"k":[1,2]}'], { metadata: { k: [1, 2] } }],
    [['--clear', 'description', '--clear', 'max-tokens', '--clear', 'temperature'], { description: null, maxTokens: null, temperature: null }],
  ])('update %j changes that alone', async (flags, expected) => {
    const t = await h.tenant()
    const created = await json(t, [...CREATE, '--description', 'd', '--max-tokens', '10', '--temperature', '0.2', '--secret-stdin'], 'sk-x')
    const updated = await json(t, ['llms', 'update', created.id, ...flags])
    expect(updated).toEqual({ ...created, ...expected, updatedAt: updated.updatedAt })
    const history = await json(t, ['llms', 'history', created.id])
    expect(history.data[0].fields.sort()).toEqual(Object.keys(expected).sort())
  })

  test('versions, diff and restore: see what a field was and put it back with one command', async () => {
    const t = await h.tenant()
    const created = await json(t, [...CREATE, '--temperature', '0.3', '--secret-stdin'], 'sk-x')
    await json(t, ['llms', 'update', created.id, '--temperature', '1.9'])
    const versions = await cli(t, ['llms', 'versions', created.id])
    expect(versions.stdout.split('\n')[0]).toMatch(/^VERSION\s+WHEN\s+ACTION\s+BY\s+FIELDS$/)
    expect(versions.stdout).toMatch(/^2\s.*update\s+\S+\s+temperature$/m)
    const diff = await cli(t, ['llms', 'diff', created.id, '1', '2'])
    expect(diff.stdout).toMatch(/^temperature\s+0\.3\s+1\.9$/m)
    const restored = await cli(t, ['llms', 'restore', created.id, '1'])
    expect(restored.code, restored.stderr).toBe(0)
    expect(restored.stderr).toContain('Restored the settings of version 1 as version 3')
    expect(restored.stdout).toMatch(/temperature\s+0\.3/)
    expect((await json(t, ['llms', 'versions', created.id])).data[0]).toMatchObject({ version: 3, action: 'restore', restoredFrom: 1 })
    expect((await cli(t, ['llms', 'restore', created.id, 'two'])).code).toBe(2)
  })

  test('llms check: each URL, the problem in words, the provider\'s message, a curl to reproduce; exit 1 when it fails', async () => {
    const t = await h.tenant()
    const make = (model: string) =>
      json(t, ['llms', 'create', '--display-name', model, '--format', 'openai', '--model', model, '--url', `${fake.url}/v1/chat/completions`, '--secret-stdin'], PROVIDER_KEY)
    const good = await make('ok')
    const works = await cli(t, ['llms', 'check', good.id, '--completion'])
    expect(works.code, works.stderr).toBe(0)
    expect(works.stdout).toMatch(/^works {2}\(completion check/)
    expect(works.stdout).toMatch(/ok +http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions {2}HTTP 200, \d+ ms, first token \d+ ms/)
    expect(works.stdout).toContain('reply: "Hello there"')
    const bad = await make('missing')
    const fails = await cli(t, ['llms', 'check', bad.id])
    expect(fails.code).toBe(1)
    expect(fails.stdout).toContain('model_not_found: The provider does not serve this model')
    expect(fails.stdout).toContain('provider said: The model missing does not exist')
    expect(fails.stdout).toMatch(/reproduce: curl -X GET '.*\/v1\/models\/missing' -H 'authorization: Bearer \*\*\*'/)
    expect(fails.stdout + fails.stderr).not.toContain(PROVIDER_KEY)
    const last = await cli(t, ['llms', 'check', bad.id, '--last', '--json'])
    expect(last.code).toBe(1)
    expect(JSON.parse(last.stdout).results[0].problem).toBe('model_not_found')
  })

  test('a safe read-modify-write: get --etag prints the ETag alone; a stale --if-match, or an --if-none-match naming the current ETag, fails with exit 1 and changes nothing', async () => {
    const t = await h.tenant()
    const created = await json(t, [...CREATE, '--secret-stdin'], 'sk-x')
    const etag = (await cli(t, ['llms', 'get', created.id, '--etag'])).stdout
    expect(etag).toBe('"1"\n')
    expect((await cli(t, ['llms', 'update', created.id, '--temperature', '1', '--if-match', etag.trim()])).code).toBe(0)
    const stale = await cli(t, ['llms', 'update', created.id, '--temperature', '0', '--if-match', etag.trim()])
    expect(stale.code).toBe(1)
    expect(stale.stdout).toBe('')
    expect(stale.stderr).toMatch(/HTTP 412 precondition_failed/)
    expect((await json(t, ['llms', 'get', created.id])).temperature).toBe(1)
    // --if-none-match: only if it is no longer at that ETag.
    const current = '"2"'
    const same = await cli(t, ['llms', 'update', created.id, '--temperature', '0', '--if-none-match', current])
    expect([same.code, same.stderr]).toEqual([1, expect.stringContaining('The LLM is at a version If-None-Match names (HTTP 412 precondition_failed)')])
    expect((await cli(t, ['llms', 'restore', created.id, '1', '--if-none-match', current])).code).toBe(1)
    expect((await cli(t, ['llms', 'delete', created.id, '--yes', '--if-none-match', '*'])).code).toBe(1)
    expect((await json(t, ['llms', 'get', created.id])).temperature).toBe(1)
    expect((await cli(t, ['llms', 'update', created.id, '--temperature', '0', '--if-match', current, '--if-none-match', etag.trim()])).code).toBe(0)
    // A bare version number is its ETag (a shell drops the quotes); anything else unquoted is the server's 400.
    expect((await cli(t, ['llms', 'update', created.id, '--temperature', '0.5', '--if-match', '3'])).code).toBe(0)
    const unquoted = await cli(t, ['llms', 'update', created.id, '--temperature', '0', '--if-match', 'W/4'])
    expect([unquoted.code, unquoted.stderr]).toEqual([1, expect.stringContaining('If-Match must be * or ETags in quotes')])
    expect((await cli(t, ['llms', 'delete', created.id, '--yes', '--if-none-match', '3'])).code).toBe(0)
  })

  test('text from the server is printed with its control characters escaped, never obeyed by the terminal', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { displayName: 'Escapes \u202egpt-4o', description: 'line one\nline two', metadata: { note: 'a\u009b2Jb', bell: '\u0007' } })
    const block = await cli(t, ['llms', 'get', llm.id])
    expect(block.code).toBe(0)
    expect(block.stdout).toContain('line one\\nline two')
    expect(block.stdout).toContain('Escapes \\u202egpt-4o')
    expect(block.stdout).toContain('"note":"a\\u009b2Jb"')
    expect(block.stdout).toContain('"bell":"\\u0007"')
    // Nothing but the line ends is a control character.
    expect(block.stdout.replaceAll('\n', '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/)
    expect((await cli(t, ['llms', 'list', '--search', 'escapes'])).stdout).toContain('  Escapes \\u202egpt-4o  ')
    // A field name the server echoes (an unknown field) is escaped on stderr too.
    const refused = await runCli(['llms', 'update', llm.id, '--from-file', '-'], { LLM_REGISTRY_URL: h.baseUrl, LLM_REGISTRY_API_KEY: t.key }, '{"x\\u001b[2J": 1}')
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('  x\\u001b[2J: is not a known field\n')])
    expect(refused.stderr.replaceAll('\n', '')).not.toMatch(/[\u0000-\u001f]/)
  })

  test('list pages with --page/--per-page, --all walks every page, tables mark defaults', async () => {
    const t = await h.tenant()
    for (let i = 0; i < 5; i++) await h.createLlm(t.key, { displayName: `Paged ${i}` })
    const page = await json(t, ['llms', 'list', '--no-defaults', '--per-page', '2', '--page', '2'])
    expect(page.meta).toEqual({ total: 5, lastPage: 3, currentPage: 2, perPage: 2, prev: 1, next: 3 })
    expect(page.data.map((l: { displayName: string }) => l.displayName)).toEqual(['Paged 2', 'Paged 1'])
    expect(await json(t, ['llms', 'list', '--all', '--no-defaults', '--search', 'paged'])).toHaveLength(5)
    const table = await cli(t, ['llms', 'list'])
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND\s+FORMAT\s+MODEL\s+REGIONS\s+SECRET\s+UPDATED$/)
    expect(table.stdout).toMatch(/GPT-4o mini\s+default\s+openai/)
    expect(table.stdout).toContain('page 1 of 1 (9 LLMs)')
    expect(table.stdout).not.toMatch(/\u001b\[/)
    // Nothing to show is said in words, not as a header alone.
    expect((await cli(t, ['llms', 'list', '--search', 'nothing like it'])).stdout).toBe('no LLMs match "nothing like it"\n')
    expect((await cli(t, ['llms', 'list', '--all', '--no-defaults', '--search', 'nope'])).stdout).toBe('no LLMs match "nope" (defaults left out)\n')
    expect((await cli(t, ['llms', 'list', '--page', '9'])).stdout).toBe('page 9 is past the last, 1 (9 LLMs)\n')
  })

  test('--json prints exactly one JSON document on stdout for every command', async () => {
    const t = await h.tenant()
    const created = await json(t, [...CREATE, '--secret-stdin'], 'sk-x')
    for (const args of [
      ['llms', 'list'],
      ['llms', 'list', '--all'],
      ['llms', 'get', created.id],
      ['llms', 'update', created.id, '--temperature', '0.9'],
      ['llms', 'history', created.id],
      ['llms', 'versions', created.id],
      ['llms', 'diff', created.id, '1', '2'],
      ['llms', 'restore', created.id, '1'],
      ['llms', 'export'],
      ['llms', 'delete', created.id, '--yes'],
    ]) {
      const result = await cli(t, [...args, '--json'])
      expect({ args, code: result.code }).toEqual({ args, code: 0 })
      expect(() => JSON.parse(result.stdout)).not.toThrow()
    }
  })

  test('exit codes: 1 when the API refuses (each field on stderr), 2 for usage, 3 when nothing answers', async () => {
    const t = await h.tenant()
    const refused = await cli(t, ['llms', 'create', '--display-name', 'x', '--temperature', '5'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('  llmFormat: is required')
    expect(refused.stderr).toContain('  temperature: must be <= 2')
    expect((await cli(t, ['llms', 'get', '00000000-0000-4000-8000-000000000000'])).code).toBe(1)
    for (const args of [['llms', 'lst'], ['llms', 'get'], ['llms', 'update', 'x', '--temperature', 'hot'], ['llms', 'update', 'x', '--max-tokens', '0x10'], ['llms', 'update', 'x'], ['llms', 'delete', 'x']]) {
      const usage = await cli(t, args)
      expect({ args, code: usage.code }).toEqual({ args, code: 2 })
      expect(usage.stderr).not.toBe('')
    }
    // JSON a person wrote that gives a key twice is refused before anything is sent.
    const created = await h.createLlm(t.key, { metadata: { team: 'x' } })
    const twice = await cli(t, ['llms', 'update', created.id, '--metadata', '{"team": "a", "team": "b"}'])
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringContaining('--metadata (use @file to read a file) gives "team" more than once')])
    expect((await h.stored(created.id))?.metadata).toEqual({ team: 'x' })
    const broken = await cli(t, ['llms', 'update', created.id, '--metadata', '{"team": "a",}'])
    expect([broken.code, broken.stderr]).toEqual([2, expect.stringContaining('--metadata (use @file to read a file) is not valid JSON: expected double-quoted property name (line 1, column 14)')])
    const big = await cli(t, ['llms', 'update', created.id, '--metadata', '{"id": 12345678901234567890}'])
    expect([big.code, big.stderr]).toEqual([2, expect.stringContaining('--metadata (use @file to read a file): "id" is a number too large to keep exactly (beyond ±9007199254740991)')])
    expect((await h.stored(created.id))?.metadata).toEqual({ team: 'x' })
    const unreachable = await runCli(['llms', 'list'], { LLM_REGISTRY_URL: 'http://127.0.0.1:9', LLM_REGISTRY_API_KEY: t.key })
    expect(unreachable.code).toBe(3)
    expect(unreachable.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/)
    expect((await runCli(['llms', 'list'], { LLM_REGISTRY_URL: h.baseUrl, LLM_REGISTRY_API_KEY: '' })).code).toBe(2)
  })

  test('--api-key works but warns that argv is visible to other users', async () => {
    const t = await h.tenant()
    const result = await runCli(['llms', 'list', '--api-key', t.key, '--json'], { LLM_REGISTRY_URL: h.baseUrl, LLM_REGISTRY_API_KEY: '' })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/warning: --api-key is visible to other users/)
  })

  test('delete needs --yes when not on a terminal', async () => {
    const t = await h.tenant()
    const created = await json(t, [...CREATE, '--secret-stdin'], 'sk-x')
    expect((await cli(t, ['llms', 'delete', created.id])).code).toBe(2)
    expect(await h.stored(created.id)).toBeDefined()
    const deleted = await cli(t, ['llms', 'delete', created.id, '--yes'])
    expect([deleted.code, deleted.stdout]).toEqual([0, `deleted ${created.id}\n`])
    expect(await h.stored(created.id)).toBeUndefined()
  })

  test('export from one server, import into another: dry run, then for real, then again with nothing to do', async () => {
    const source = await h.tenant()
    const target = await other.tenant()
    const none = await json(source, ['llms', 'create', '--display-name', 'Client side', '--format', 'none'])
    const upstream = await json(source, [...CREATE, '--temperature', '0.3', '--secret-stdin'], 'sk-source')
    const exported = await cli(source, ['llms', 'export', '--no-defaults'])
    expect(exported.code).toBe(0)
    expect(exported.stdout).not.toContain('sk-source')
    const file = join(dir, `export-${crypto.randomUUID()}.json`)
    writeFileSync(file, exported.stdout)

    const dry = await cli(target, ['llms', 'import', file, '--dry-run'], undefined, other)
    expect(dry.stdout).toContain(`create    ${none.id}  Client side`)
    expect(dry.stdout).toContain(`skip      ${upstream.id}  CLI GPT: llmFormat openai needs a credential`)
    expect(dry.stdout).toContain('dry run: nothing changed')
    expect((await json(target, ['llms', 'list', '--no-defaults'], undefined, other)).meta.total).toBe(0)

    const secrets = join(dir, `secrets-${crypto.randomUUID()}.json`)
    writeFileSync(secrets, JSON.stringify({ [upstream.id]: 'sk-target' }))
    chmodSync(secrets, 0o644)
    const exposed = await cli(target, ['llms', 'import', file, '--secrets-from', secrets], undefined, other)
    expect([exposed.code, exposed.stderr]).toEqual([2, expect.stringContaining('can be read by other users')])
    chmodSync(secrets, 0o600)

    const applied = await json(target, ['llms', 'import', file, '--secrets-from', secrets], undefined, other)
    expect(applied.applied).toBe(true)
    expect(applied.results.map((r: { action: string; ok: boolean }) => [r.action, r.ok])).toEqual([
      ['create', true],
      ['create', true],
    ])
    const copied = await json(target, ['llms', 'get', upstream.id], undefined, other)
    expect(copied).toMatchObject({ id: upstream.id, temperature: 0.3, urls: upstream.urls, hasSecret: true })
    expect(other.box.open((await other.stored(upstream.id))?.sealedSecret ?? '', upstream.id)).toBe('sk-target')

    const again = await cli(target, ['llms', 'import', file, '--secrets-from', secrets], undefined, other)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('nothing to do')
    expect((await json(target, ['llms', 'history', upstream.id], undefined, other)).meta.total).toBe(1)

    await json(source, ['llms', 'update', upstream.id, '--temperature', '0.8'])
    writeFileSync(file, (await cli(source, ['llms', 'export', '--no-defaults'])).stdout)
    const changed = await json(target, ['llms', 'import', file], undefined, other)
    expect(changed.plan.find((s: { id: string }) => s.id === upstream.id)).toMatchObject({ action: 'update', fields: ['temperature'] })
    expect((await json(target, ['llms', 'get', upstream.id], undefined, other)).temperature).toBe(0.8)
  })

  test('completion scripts for bash and zsh know every command and flag, and bash accepts them', async () => {
    const t = await h.tenant()
    const bash = await cli(t, ['completion', 'bash'])
    expect(bash.code).toBe(0)
    for (const word of ['complete -o default -F', '"llms import")', '--secret-stdin', '--if-match', 'rotate-key']) expect(bash.stdout).toContain(word)
    writeFileSync(join(dir, 'completion.bash'), bash.stdout)
    execFileSync('bash', ['-n', join(dir, 'completion.bash')])
    const words = execFileSync('bash', ['-c', `source ${join(dir, 'completion.bash')}; COMP_WORDS=(llm-registry llms up); COMP_CWORD=2; _llm_registry; echo "\${COMPREPLY[@]}"`]).toString()
    expect(words.trim()).toBe('update')
    const zsh = await cli(t, ['completion', 'zsh'])
    expect(zsh.stdout.startsWith('#compdef llm-registry')).toBe(true)
    expect((await cli(t, ['completion', 'fish'])).code).toBe(2)
  })

  test('--help on every command has an example and says whether it talks to the API or the database', async () => {
    const t = await h.tenant()
    const root = await cli(t, ['--help'])
    expect(root.stdout).toMatch(/Exit codes: 0 done, 1 the API refused/)
    for (const args of [['llms', 'list'], ['llms', 'create'], ['llms', 'import'], ['keys', 'create'], ['llms', 'flag'], ['db', 'copy'], ['completion']]) {
      const help = await cli(t, [...args, '--help'])
      expect({ args, code: help.code, example: help.stdout.includes('Example:') }).toEqual({ args, code: 0, example: true })
    }
    expect((await cli(t, ['llms', '--help'])).stdout).toMatch(/flag \[options\] <id>\s+\[database\]/)
  })
})
