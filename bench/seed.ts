/** Fills a database for the benchmark: many organizations with LLMs, and one large organization. */
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { SecretBox } from '../src/crypto/secret-box.js'
import type { StoredLlm } from '../src/domain/llm.js'
import type { Storage } from '../src/storage/database.js'
import { KyselyLlmRepository } from '../src/storage/llm-repository.js'
import { organizationsOf } from '../src/services.js'
import { prepareDatabase } from '../src/storage/prepare.js'

export interface SeededOrg {
  key: string
  ids: string[]
}

export interface Seeded {
  /** An ordinary organization, with its key and its LLMs' ids. */
  sample: SeededOrg
  /** The organization that holds `big` LLMs (for search), when one was asked for. */
  big: SeededOrg | undefined
  records: number
}

const WORDS = ['support', 'sales', 'triage', 'voice', 'concierge', 'tutor', 'coach', 'agent', 'helper', 'guide']

function llmFor(orgId: string, n: number, box: SecretBox, at: number): StoredLlm {
  const id = randomUUID()
  const created = new Date(at).toISOString()
  return {
    id,
    displayName: `${WORDS[n % WORDS.length]} bot ${n}`,
    description: n % 3 === 0 ? null : `Handles ${WORDS[(n * 7) % WORDS.length]} conversations, variant ${n}`,
    llmFormat: 'openai',
    urls: [{ url: 'https://api.openai.com/v1/chat/completions' }, { url: 'https://eu.example.com/v1/chat', region: 'eu' }],
    modelName: `gpt-4o-${n % 13}`,
    temperature: (n % 20) / 10,
    maxTokens: 256 + (n % 1000),
    deploymentName: null,
    apiVersion: null,
    metadata: { team: WORDS[n % WORDS.length], n },
    displayTags: [],
    isDefault: false,
    isGlobal: false,
    isZdr: false,
    reasoningEffort: 'default',
    reasoningFormat: 'parsed',
    createdByOrganizationId: orgId,
    createdAt: created,
    updatedAt: null,
    hasSecret: true,
    secretUpdatedAt: created,
    sealedSecret: box.seal(`sk-bench-${n}`, id),
    version: 1,
  }
}

/** Seeds `orgs` organizations of `perOrg` LLMs each, plus one of `big` LLMs. */
export async function seed(storage: Storage, box: SecretBox, orgs: number, perOrg: number, big: number): Promise<Seeded> {
  await prepareDatabase(storage)
  const orgRepo = organizationsOf(storage)
  const llms = new KyselyLlmRepository(storage)
  let clock = Date.UTC(2026, 0, 1)
  let pending: StoredLlm[] = []
  const flush = async () => {
    if (pending.length > 0) await llms.insertMissing(pending)
    pending = []
  }
  const fill = async (count: number): Promise<SeededOrg> => {
    const org = await orgRepo.createOrganization(`bench-${randomUUID()}`)
    const key = (await orgRepo.createApiKey(org.id, ['llms:read', 'llms:write'])).raw
    const ids: string[] = []
    for (let n = 0; n < count; n++) {
      const llm = llmFor(org.id, n, box, (clock += 1000))
      if (ids.length < 200) ids.push(llm.id)
      pending.push(llm)
      if (pending.length >= 500) await flush()
    }
    await flush()
    return { key, ids }
  }
  const sample = await fill(perOrg)
  for (let o = 1; o < orgs; o++) await fill(perOrg)
  const bigOrg = big > 0 ? await fill(big) : undefined
  // Planner statistics, as a running database has them (PostgreSQL's autovacuum would gather them
  // within a minute or so; right after a bulk load its plans are made blind).
  await sql`analyze`.execute(storage.db)
  return { sample, big: bigOrg, records: orgs * perOrg + big }
}
