/**
 * The floor under a PUT at 10 connections, in a process of its own (started by bench/run.ts):
 * the domain's update of one field with its database write (row, version snapshot with its audit
 * event, commit), called directly with no HTTP, `inFlight` at a time as that many connections
 * ask for them (so they are written together as under load), the SQLite WAL checkpointed by the
 * server's worker thread. Prints, as JSON: `us`, the CPU µs a write (all threads counted);
 * `databaseUs`, PostgreSQL's server processes' CPU µs a write (0 on SQLite); `perCommit`, the
 * writes a commit carried (a group commit on SQLite, a statement of batched updates on
 * PostgreSQL), null when no commit was counted; `wallUs`, the wall-clock µs a write (calls
 * divided into the time they took).
 *
 * A process of its own, started with the server's node flags and pinned to the server's core, so
 * that the figure is what the service would pay: measured inside the benchmark's own process it
 * carried that process's history (every load it generated, the seeding) and shared a core with
 * PostgreSQL's processes, and read up to twice as much.
 *
 * Environment: DATABASE_URL, LLMS_ENCRYPTION_KEY (base64), FLOOR_IDS (a JSON array of the ids of
 * one organization's LLMs), FLOOR_CALLS, FLOOR_IN_FLIGHT; and the service's own LLM_VERSIONS_KEPT
 * (see serviceOptions).
 */
import { SecretBox } from '../src/crypto/secret-box.js'
import { parseDatabaseUrl } from '../src/config.js'
import { openDatabase } from '../src/storage/database.js'
import { cpuUsPerCall, postgresProcesses, postgresTicksSince, serviceOptions, TICKS_PER_SECOND, updaterOf } from './updates.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`bench/floor: ${name} is not set`)
  return value
}

const storage = openDatabase(parseDatabaseUrl(env('DATABASE_URL')), { checkpoints: true })
try {
  const { update, commits } = await updaterOf(storage, new SecretBox(Buffer.from(env('LLMS_ENCRYPTION_KEY'), 'base64')), JSON.parse(env('FLOOR_IDS')) as string[], serviceOptions())
  const calls = Number(env('FLOOR_CALLS'))
  const inFlight = Number(env('FLOOR_IN_FLIGHT'))
  // Warm up until the code is compiled and the caches are full: a quarter of the calls measured.
  await cpuUsPerCall(Math.max(2000, calls / 4), update, inFlight)
  const pg = storage.dialect === 'postgres'
  const before = { commits: commits(), database: pg ? postgresProcesses() : new Map<string, number>(), at: performance.now() }
  const { us } = await cpuUsPerCall(calls, update, inFlight)
  const wallUs = ((performance.now() - before.at) * 1000) / calls
  // Read before the connections close: a PostgreSQL backend's CPU goes with it.
  const databaseUs = pg ? (postgresTicksSince(before.database) / TICKS_PER_SECOND / calls) * 1e6 : 0
  const after = commits()
  // No commit counted (a storage without a group commit, as SQLite opened on :memory:): no figure, not NaN.
  const commitsMade = after.commits - before.commits.commits
  const perCommit = commitsMade > 0 ? (after.writes - before.commits.writes) / commitsMade : null
  process.stdout.write(`${JSON.stringify({ us, databaseUs, perCommit, wallUs })}\n`)
} finally {
  await storage.close()
}
