/** What the benchmarks need to time the domain's write with no HTTP (bench/floor.ts, bench/write-anatomy.ts), and to read CPU from /proc. */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { readEnv } from '../src/config.js'
import type { SecretBox } from '../src/crypto/secret-box.js'
import type { Actor } from '../src/domain/access.js'
import { createServices, type ServiceOptions, type Services } from '../src/services.js'
import type { Storage } from '../src/storage/database.js'
import { KyselyLlmRepository } from '../src/storage/llm-repository.js'

export const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T

export interface Updater {
  /** The domain's update of one field of one of the LLMs, as a PUT {temperature} makes it. */
  update: () => Promise<unknown>
  /**
   * The commits of the hot writes so far, and the writes they carried: SQLite's group commits,
   * PostgreSQL's statements of batched updates (each its own transaction).
   */
  commits: () => { commits: number; writes: number }
}

/**
 * The options of the service started beside a stand-in for it (bench/floor.ts,
 * bench/write-server.ts), read from the environment as the service reads them: so that the write
 * alone and the floor keep as many versions, and sweep, as the service does (LLM_VERSIONS_KEPT).
 */
export function serviceOptions(): ServiceOptions {
  return { versionsKept: readEnv().LLM_VERSIONS_KEPT }
}

/** The domain's services on `storage`, and an actor that may read and write the LLMs of the organization that owns `id`. */
export async function domainOf(storage: Storage, box: SecretBox, id: string, options: ServiceOptions = {}): Promise<{ services: Services; actor: Actor }> {
  const services = createServices(storage, box, options)
  const owner = (await new KyselyLlmRepository(storage).findById(id))?.createdByOrganizationId
  if (owner == null) throw new Error('the seeded LLM has no organization')
  return { services, actor: { organizationId: owner, keyId: 'bench', permissions: ['llms:read', 'llms:write'] } }
}

/** The domain's update of one field of one of `ids` (all of one organization), as a PUT {temperature} makes it. */
export async function updaterOf(storage: Storage, box: SecretBox, ids: string[], options: ServiceOptions = {}): Promise<Updater> {
  const { services, actor } = await domainOf(storage, box, ids[0] as string, options)
  return {
    update: () => services.llms.update(actor, pick(ids), { temperature: Math.round(Math.random() * 200) / 100 }),
    commits: () => {
      const pg = services.pgWrites?.()
      return pg !== undefined ? { commits: pg.statements, writes: pg.writes } : (services.commits?.() ?? { commits: 0, writes: 0 })
    },
  }
}

export const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

/** User + system CPU ticks from the text of a /proc/<pid>/stat. */
export function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/** Each PostgreSQL server process on this machine (the local server under benchmark): its pid and the text of its /proc/<pid>/stat. */
function* postgresStats(): Generator<[pid: string, stat: string]> {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // the process ended meanwhile
    }
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') yield [entry, stat]
  }
}

/** CPU ticks of each PostgreSQL server process on this machine (the local server under benchmark), by pid. */
export function postgresProcesses(): Map<string, number> {
  const ticks = new Map<string, number>()
  for (const [pid, stat] of postgresStats()) ticks.set(pid, ticksOf(stat))
  return ticks
}

/** What the scheduler counted for a thread (/proc/<pid>/task/<tid>/schedstat): ns on a core, and ns runnable but waiting for one. */
export interface Schedstat {
  runNs: number
  waitNs: number
}

/** The schedstat at `path` (a process's is its main thread's), or none if it ended meanwhile. */
export function schedstatOf(path: string): Schedstat | undefined {
  try {
    const [run, wait] = readFileSync(path, 'utf8').split(' ')
    return { runNs: Number(run), waitNs: Number(wait) }
  } catch {
    return undefined
  }
}

/** The schedstat of each PostgreSQL server process (its only thread), by pid. */
export function postgresSchedstats(): Map<string, Schedstat> {
  const stats = new Map<string, Schedstat>()
  for (const [pid] of postgresStats()) {
    const stat = schedstatOf(`/proc/${pid}/schedstat`)
    if (stat !== undefined) stats.set(pid, stat)
  }
  return stats
}

/**
 * The CPU ticks PostgreSQL's processes spent since `before` (see postgresProcesses): those still
 * running, and those started since. A process that ended meanwhile (a backend whose connection
 * closed) takes its ticks with it, so it is left out rather than counted as a loss.
 */
export function postgresTicksSince(before: Map<string, number>): number {
  let ticks = 0
  for (const [pid, now] of postgresProcesses()) ticks += now - (before.get(pid) ?? 0)
  return ticks
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
