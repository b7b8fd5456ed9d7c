/** What the benchmarks need to time the domain's write with no HTTP (bench/floor.ts, bench/write-anatomy.ts). */
import type { SecretBox } from '../src/crypto/secret-box.js'
import { createServices } from '../src/services.js'
import type { Storage } from '../src/storage/database.js'
import { KyselyLlmRepository } from '../src/storage/llm-repository.js'

export const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T

/** The domain's update of one field of one of `ids` (all of one organization), as a PUT {temperature} makes it. */
export async function updaterOf(storage: Storage, box: SecretBox, ids: string[]): Promise<() => Promise<unknown>> {
  const { llms } = createServices(storage, box)
  const owner = (await new KyselyLlmRepository(storage).findById(ids[0] as string))?.createdByOrganizationId
  if (owner == null) throw new Error('the seeded LLM has no organization')
  const actor = { organizationId: owner, keyId: 'bench', permissions: ['llms:read', 'llms:write'] as const }
  return () => llms.update(actor, pick(ids), { temperature: Math.round(Math.random() * 200) / 100 })
}

/**
 * CPU µs a call of `run` (all of this process's threads), and how much of it in the kernel;
 * `inFlight` calls at a time, each started when one before it is done.
 */
export async function cpuUsPerCall(calls: number, run: () => unknown, inFlight = 1): Promise<{ us: number; systemUs: number }> {
  const before = process.cpuUsage()
  let left = calls
  const caller = async () => {
    while (left > 0) {
      left--
      await run()
    }
  }
  await Promise.all(Array.from({ length: inFlight }, caller))
  const used = process.cpuUsage(before)
  return { us: (used.user + used.system) / calls, systemUs: used.system / calls }
}
