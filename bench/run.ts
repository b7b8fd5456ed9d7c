/**
 * `npm run bench`: the service against a bare node:http server answering the same bytes, in
 * alternating rounds, on a freshly seeded database. Writes BENCHMARKS.md. Not a test: it asserts
 * nothing, it measures.
 *
 *   npm run bench                 SQLite, 100,000 LLMs in 1,000 organizations + one of 10,000
 *   npm run bench -- --pg         the same on PostgreSQL (DATABASE_URL, or the local server)
 *   npm run bench -- --quick      a smaller, shorter run to try the script
 *   npm run bench -- --only GET   only the operations whose name contains GET (no report written)
 *   npm run bench -- --against ../other/dist/bundle/server.mjs [--only PUT]
 *                                 this build against another build's server, rounds alternating,
 *                                 each on a 1,000-record database seeded by its own build's code
 *                                 (the two may differ in schema), each pair's ratio (no report)
 *   npm run bench -- --connections 10 --node-flags='--cpu-prof --cpu-prof-dir=/tmp/prof'
 *                                 only these connection counts (no report); and node flags added
 *                                 to the servers' own (a profile of the service under that load)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { SecretBox } from '../src/crypto/secret-box.js'
import { openDatabase, type Storage } from '../src/storage/database.js'
import { autovacuumOff } from '../src/storage/prepare.js'
import { PG_ADMIN_URL, createTestDatabase, type TestDatabase } from '../src/testing/harness.js'
import { SERVER_NODE_FLAGS } from '../src/node-flags.js'
import { seed, type Seeded } from './seed.js'
import { pick, postgresProcesses, postgresSchedstats, postgresTicksSince, schedstatOf, ticksOf, TICKS_PER_SECOND, type Schedstat } from './updates.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SERVER_JS = join(ROOT, 'dist/bundle/server.mjs')
const BARE_JS = join(ROOT, 'dist/bench/bare-server.js')
const FLOOR_JS = join(ROOT, 'dist/bench/floor.js')
const WRITE_JS = join(ROOT, 'dist/bench/write-server.js')

const { values: args } = parseArgs({
  options: {
    pg: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    against: { type: 'string' },
    connections: { type: 'string' },
    'node-flags': { type: 'string' },
  },
})
const usePg = args.pg || (process.env.DATABASE_URL ?? '').startsWith('postgres')
const quick = args.quick
const ROUNDS = Number(args.rounds ?? (quick ? 1 : 3))
/**
 * The large/small comparison divides two figures that each move by 10–20 % between rounds on a
 * shared machine (one pair of 5 s rounds has read 0.88 and the next 1.26), so it takes more pairs.
 */
const SCALING_ROUNDS = quick ? 1 : Math.max(ROUNDS, 5)
const DURATION = Number(args.duration ?? (quick ? 2 : 5))
const ORGS = quick ? 100 : 1000
const PER_ORG = 100
const BIG = quick ? 2000 : 10_000
const SMALL_ORGS = 10
const CONNECTIONS = args.connections === undefined ? [10, 50] : args.connections.split(',').map(Number)
if (!CONNECTIONS.every((c) => Number.isInteger(c) && c > 0)) throw new Error(`--connections takes whole numbers above 0, comma-separated (got "${args.connections}")`)
/** Flags for the servers' node besides their own, as `--node-flags` gives them (a profiler's, say). */
const EXTRA_NODE_FLAGS = args['node-flags']?.split(' ').filter((flag) => flag !== '') ?? []
const OUT = args.out ?? join(ROOT, usePg ? 'BENCHMARKS-postgres.md' : 'BENCHMARKS.md')

// ---------------------------------------------------------------- processes and pinning

const canPin = cpus().length >= 2 && spawnOk('taskset', ['-V'])
const SERVER_CORE = '0'
const LOAD_CORE = '1'

function spawnOk(cmd: string, argv: string[]): boolean {
  try {
    execFileSync(cmd, argv, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

if (canPin) execFileSync('taskset', ['-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' })

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      s.close(() => resolve(port))
    })
  })
}

interface Target {
  name: string
  url: string
  child: ChildProcess
  /** The service's /metrics, when started with them (see writeStatementsOf). */
  metricsUrl?: string
}

/** The command that runs `script` as the service runs: its node flags, on its core. */
function asService(script: string): [string, string[]] {
  const node = [process.execPath, ...SERVER_NODE_FLAGS, ...EXTRA_NODE_FLAGS, script]
  return canPin ? ['taskset', ['-c', SERVER_CORE, ...node]] : [node[0] as string, node.slice(1)]
}

function launch(script: string, env: Record<string, string>): ChildProcess {
  const [cmd, argv] = asService(script)
  return spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] })
}

async function waitReady(url: string, path: string, timeoutMs = 60_000): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < timeoutMs) {
    try {
      const r = await fetch(`${url}${path}`)
      if (r.status === 200) return performance.now() - started
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`${url}${path} not ready after ${timeoutMs} ms`)
}

async function startService(name: string, databaseUrl: string, key: string, script = SERVER_JS, withMetrics = false): Promise<Target & { readyMs: number }> {
  const port = await freePort()
  const metricsPort = withMetrics ? await freePort() : undefined
  const started = performance.now()
  // The limiter runs (its cost is measured) with a limit the load never reaches.
  const child = launch(script, {
    DATABASE_URL: databaseUrl,
    LLMS_ENCRYPTION_KEY: key,
    PORT: String(port),
    HOST: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    ...(metricsPort !== undefined && { METRICS_PORT: String(metricsPort) }),
  })
  const url = `http://127.0.0.1:${port}`
  await waitReady(url, '/readyz')
  const metricsUrl = metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics`
  return { name, url, child, readyMs: performance.now() - started, ...(metricsUrl !== undefined && { metricsUrl }) }
}

/** PostgreSQL: the service's batched-write counters (see WriteBatch), from its /metrics. */
async function writeCounters(metricsUrl: string): Promise<{ statements: number; writes: number; seconds: number }> {
  const text = await (await fetch(metricsUrl)).text()
  const value = (name: string) => Number(text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? NaN)
  return { statements: value('llmr_pg_write_statements_total'), writes: value('llmr_pg_statement_writes_total'), seconds: value('llmr_pg_write_statement_seconds_total') }
}

/** `npm start` as a user runs it on an existing database: the build check, then the server, to a ready /readyz. */
async function npmStartMs(databaseUrl: string, key: string): Promise<number> {
  const port = await freePort()
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LLMS_ENCRYPTION_KEY: key, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  })
  const readyMs = await waitReady(`http://127.0.0.1:${port}`, '/readyz')
  const exited = new Promise((r) => child.once('exit', r))
  process.kill(-(child.pid ?? 0), 'SIGTERM')
  await exited
  return readyMs
}

async function startBare(): Promise<Target> {
  const port = await freePort()
  const child = launch(BARE_JS, { PORT: String(port) })
  const url = `http://127.0.0.1:${port}`
  await waitReady(url, '/')
  return { name: 'bare', url, child }
}

/** bench/write-server.ts on `databaseUrl`, writing as the organization that owns `id`. */
async function startWriteServer(databaseUrl: string, key: string, id: string): Promise<Target> {
  const port = await freePort()
  const child = launch(WRITE_JS, { DATABASE_URL: databaseUrl, LLMS_ENCRYPTION_KEY: key, WRITE_ID: id, PORT: String(port) })
  const url = `http://127.0.0.1:${port}`
  await waitReady(url, '/')
  return { name: 'write alone', url, child }
}

async function stop(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return
  const exited = new Promise((r) => target.child.once('exit', r))
  target.child.kill('SIGTERM')
  await exited
}

/** The server's own pid (under taskset, the child execs node, so the pid is the same). */
function cpuTicks(pid: number | string): number {
  return ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

// ---------------------------------------------------------------- operations

interface Operation {
  name: string
  method: 'GET' | 'PUT' | 'POST'
  key: string
  /** A fresh path and body for each request. */
  next: () => { path: string; body?: string }
}


function operations(seeded: Seeded): Operation[] {
  const { sample, big } = seeded
  const ops: Operation[] = [
    { name: 'GET /v1/llms/{id}', method: 'GET', key: sample.key, next: () => ({ path: `/v1/llms/${pick(sample.ids)}` }) },
    {
      name: 'PUT /v1/llms/{id} {temperature}',
      method: 'PUT',
      key: sample.key,
      next: () => ({ path: `/v1/llms/${pick(sample.ids)}`, body: JSON.stringify({ temperature: Math.round(Math.random() * 200) / 100 }) }),
    },
    {
      name: 'PUT /v1/llms/{id} {secret}',
      method: 'PUT',
      key: sample.key,
      next: () => ({ path: `/v1/llms/${pick(sample.ids)}`, body: JSON.stringify({ secret: `sk-${randomBytes(16).toString('hex')}` }) }),
    },
    {
      name: 'GET /v1/llms?page=…&perPage=10',
      method: 'GET',
      key: sample.key,
      next: () => ({ path: `/v1/llms?page=${1 + Math.floor(Math.random() * 10)}&perPage=10` }),
    },
  ]
  if (big !== undefined) {
    const terms = ['support', 'bot 12', 'variant 7', 'gpt-4o-3', 'concierge', 'tutor bot', 'coach', 'nothing-matches']
    ops.push({
      name: `GET /v1/llms?search=… (${BIG.toLocaleString('en')} records)`,
      method: 'GET',
      key: big.key,
      next: () => ({ path: `/v1/llms?search=${encodeURIComponent(pick(terms))}&perPage=10` }),
    })
    // Terms no request has asked before (so no cached page can answer): the index itself.
    const letters = 'abcdefghijklmnopqrstuvwxyz'
    const fresh = [
      () => `bot ${Math.floor(Math.random() * 20_000)}`,
      () => `variant ${Math.floor(Math.random() * 20_000)}`,
      () => Array.from({ length: 3 }, () => letters[Math.floor(Math.random() * 26)]).join(''),
    ]
    ops.push({
      name: `GET /v1/llms?search=<fresh term> (${BIG.toLocaleString('en')} records)`,
      method: 'GET',
      key: big.key,
      next: () => ({ path: `/v1/llms?search=${encodeURIComponent(pick(fresh)())}&perPage=10` }),
    })
  }
  ops.push({
    name: 'POST /v1/llms',
    method: 'POST',
    key: sample.key,
    next: () => ({
      path: '/v1/llms',
      body: JSON.stringify({
        displayName: `bench ${randomBytes(4).toString('hex')}`,
        llmFormat: 'openai',
        urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
        modelName: 'gpt-4o',
        secret: 'sk-bench',
        temperature: 0.7,
      }),
    }),
  })
  return ops
}

interface Round {
  rps: number
  p50: number
  p99: number
  cpuUsPerReq: number
  /** PostgreSQL's server processes (all of them), per request; 0 on SQLite. */
  databaseCpuUsPerReq: number
  /** This process (autocannon), per request. */
  loadCpuUsPerReq: number
  requests: number
  failures: number
}

async function load(target: Target, op: Operation, connections: number, seconds: number): Promise<Round> {
  const pid = target.child.pid ?? 0
  const before = cpuTicks(pid)
  const databaseBefore = usePg ? postgresProcesses() : undefined
  const loadBefore = process.cpuUsage()
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: op.method,
        headers: { authorization: `Bearer ${op.key}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          const { path, body } = op.next()
          return { ...request, path, ...(body !== undefined && { body }) }
        },
      },
    ],
  })
  const after = cpuTicks(pid)
  const databaseUsed = databaseBefore === undefined ? 0 : postgresTicksSince(databaseBefore)
  const loadCpu = process.cpuUsage(loadBefore)
  await settle(pid)
  const requests = result['2xx'] + result.non2xx
  const perRequest = (ticks: number) => (requests === 0 ? 0 : ((ticks / TICKS_PER_SECOND) * 1e6) / requests)
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerReq: perRequest(after - before),
    databaseCpuUsPerReq: perRequest(databaseUsed),
    loadCpuUsPerReq: requests === 0 ? 0 : (loadCpu.user + loadCpu.system) / requests,
    requests,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}

/**
 * Waits, after a round, until the server and PostgreSQL have finished what the round left them
 * (a sweep of versions a second after the last writes, a checkpoint, a collection): at most
 * SETTLE_MAX_MS, until a SETTLE_WINDOW_MS window in which they used at most one tick between
 * them. Without it the next round, pinned to the same core, paid for that work: this build
 * measured against a copy of itself (`--against`, PUT {temperature} on SQLite, 8 pairs) read 0.94,
 * the second of each pair always the slower, and a bare round after a service round ran slow by
 * as much, flattering the service's ratio.
 */
async function settle(pid: number): Promise<void> {
  const busy = () => cpuTicks(pid) + (usePg ? [...postgresProcesses().values()].reduce((a, b) => a + b, 0) : 0)
  const until = performance.now() + SETTLE_MAX_MS
  let last = busy()
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, SETTLE_WINDOW_MS))
    const now = busy()
    if (now - last <= 1) return
    last = now
  }
}

const SETTLE_WINDOW_MS = 200
const SETTLE_MAX_MS = 3_000

/** Teaches the bare server to answer what the service answers for this operation. */
async function mirror(service: Target, bare: Target, op: Operation): Promise<void> {
  const { path, body } = op.next()
  const response = await fetch(`${service.url}${path}`, {
    method: op.method,
    headers: { authorization: `Bearer ${op.key}`, 'content-type': 'application/json' },
    body,
  })
  const text = await response.text()
  const headers: Record<string, string> = {}
  for (const name of ['etag', 'location', 'x-request-id']) {
    const value = response.headers.get(name)
    if (value !== null) headers[name] = value
  }
  await fetch(`${bare.url}/__answer`, {
    method: 'POST',
    body: JSON.stringify({ status: response.status, body: text, headers }),
  })
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** PostgreSQL, over a round of PUTs: how their updates went to the database (see WriteBatch, writeStatementsOf). */
interface WriteStatements {
  /** Updates a statement carried, on average. */
  perStatement: number
  /** The statements' time out (sent to answered), summed, over the round's time: 1 is one statement out all the time. */
  busy: number
  /** Sent to answered, on average. */
  msEach: number
  /** The service's req/s in that round, and the share of its core it used (req/s × CPU a request). */
  rps: number
  serviceBusy: number
  /**
   * Shares of the round's time, as the scheduler counted them (/proc/<pid>/schedstat): the
   * service's main thread, and PostgreSQL's busiest process (the backend that runs these
   * statements), each on a core and runnable but waiting for one. The rest of their time they
   * slept: on the service's side waiting for requests or answers, on PostgreSQL's for its commits'
   * flushes to the disk or for the next statement.
   */
  service: Shares | undefined
  backend: Shares | undefined
}

interface Shares {
  onCore: number
  waiting: number
}

/** A share (0 to 1) as a whole percentage. */
const pct = (share: number): string => `${(share * 100).toFixed(0)} %`

/** `after - before` as shares of `ms` (see WriteStatements); none if either was not read. */
function sharesOf(before: Schedstat | undefined, after: Schedstat | undefined, ms: number): Shares | undefined {
  if (before === undefined || after === undefined) return undefined
  return { onCore: (after.runNs - before.runNs) / 1e6 / ms, waiting: (after.waitNs - before.waitNs) / 1e6 / ms }
}

/** The scheduler's counts of WriteStatements for the log line, when both were read. */
function scheduledText({ service, backend }: WriteStatements): string {
  if (service === undefined || backend === undefined) return ''
  return `; waiting for a core: service ${pct(service.waiting)}, PostgreSQL's backend ${pct(backend.waiting)} (on a core ${pct(backend.onCore)})`
}

/** Of PostgreSQL's processes, the one that ran longest between `before` and `after`. */
function busiest(before: Map<string, Schedstat>, after: Map<string, Schedstat>): [Schedstat | undefined, Schedstat | undefined] {
  let most: [Schedstat | undefined, Schedstat | undefined] = [undefined, undefined]
  let mostNs = -1
  for (const [pid, stat] of after) {
    const was = before.get(pid)
    if (was !== undefined && stat.runNs - was.runNs > mostNs) {
      mostNs = stat.runNs - was.runNs
      most = [was, stat]
    }
  }
  return most
}

interface Row {
  operation: string
  connections: number
  ratio: number
  service: Round
  bare: Round
  /** The service's peak RSS so far (VmHWM), read after this row: where the peak was reached. */
  peakRssMb: number
}

/** The medians of a target's rounds (and the sums of their requests and failures). */
function med(rounds: Round[]): Round {
  return {
    rps: median(rounds.map((x) => x.rps)),
    p50: median(rounds.map((x) => x.p50)),
    p99: median(rounds.map((x) => x.p99)),
    cpuUsPerReq: median(rounds.map((x) => x.cpuUsPerReq)),
    databaseCpuUsPerReq: median(rounds.map((x) => x.databaseCpuUsPerReq)),
    loadCpuUsPerReq: median(rounds.map((x) => x.loadCpuUsPerReq)),
    requests: rounds.reduce((n, x) => n + x.requests, 0),
    failures: rounds.reduce((n, x) => n + x.failures, 0),
  }
}

/**
 * Seconds of each row's own load that each server (and each build or database compared in
 * pairs) gets before its rounds are measured. A service just started takes about 10 s of PUTs to
 * reach its steady rate (hand-timed, 1 s slices on PostgreSQL: 1,115 → 2,455 → 3,881 req/s in the
 * first three, then 3,300–4,400), and a service warmed by the rows before it still has a row's own
 * code to compile: profiled with perf, V8's optimizing compiler took 21 % of the pinned core in
 * the first seconds while the hot path still ran as baseline code. With 1 s, PUT {temperature} on
 * PostgreSQL read 3,422 req/s at 175 µs a request; with 10 s, 3,636 at 157 (`--only`, 3 rounds, one run of each).
 */
const WARM_UP_S = quick ? 2 : 10

/** Alternates service and bare rounds; reports medians and the median of paired ratios. */
async function compare(service: Target, bare: Target, op: Operation, connections: number): Promise<Row> {
  await mirror(service, bare, op)
  await load(service, op, connections, WARM_UP_S)
  await load(bare, op, connections, WARM_UP_S)
  const s: Round[] = []
  const b: Round[] = []
  for (let r = 0; r < ROUNDS; r++) {
    s.push(await load(service, op, connections, DURATION))
    b.push(await load(bare, op, connections, DURATION))
  }
  const ratio = median(s.map((x, i) => x.rps / (b[i]?.rps ?? 1)))
  const row = { operation: op.name, connections, ratio, service: med(s), bare: med(b), peakRssMb: peakRssMb(service.child.pid ?? 0) }
  log(
    `${op.name} c=${connections}: ${row.service.rps.toFixed(0)} req/s vs bare ${row.bare.rps.toFixed(0)} ` +
      `(ratio ${ratio.toFixed(2)}), p99 ${row.service.p99} ms, cpu ${row.service.cpuUsPerReq.toFixed(0)} µs/req ` +
      `vs ${row.bare.cpuUsPerReq.toFixed(0)}, failures ${row.service.failures}`,
  )
  return row
}

/**
 * PostgreSQL: how a PUT's update reaches the database, under PUT {temperature} at 10 connections,
 * read from the /metrics of a service started for it (the service above runs without metrics, as
 * they cost a few µs a request).
 */
async function writeStatementsOf(databaseUrl: string, key: string, op: Operation): Promise<WriteStatements> {
  const service = await startService('writes', databaseUrl, key, SERVER_JS, true)
  const metricsUrl = service.metricsUrl as string
  try {
    // Just started, as the rows' warm-up explains (see WARM_UP_S). After 1 s, this line once
    // described a cold service (1,577 req/s against 3,206 for the service above).
    await load(service, op, 10, WARM_UP_S)
    const mainThread = `/proc/${service.child.pid}/task/${service.child.pid}/schedstat`
    const before = await writeCounters(metricsUrl)
    const scheduled = { service: schedstatOf(mainThread), database: postgresSchedstats() }
    const started = performance.now()
    const round = await load(service, op, 10, DURATION)
    const ms = performance.now() - started
    const [backendBefore, backendAfter] = busiest(scheduled.database, postgresSchedstats())
    const serviceAfter = schedstatOf(mainThread)
    const after = await writeCounters(metricsUrl)
    const statements = after.statements - before.statements
    const seconds = after.seconds - before.seconds
    return {
      perStatement: (after.writes - before.writes) / statements,
      busy: (seconds * 1000) / ms,
      msEach: (seconds * 1000) / statements,
      rps: round.rps,
      serviceBusy: (round.rps * round.cpuUsPerReq) / 1e6,
      service: sharesOf(scheduled.service, serviceAfter, ms),
      backend: sharesOf(backendBefore, backendAfter, ms),
    }
  } finally {
    await stop(service)
  }
}

/** One operation on two targets, rounds alternating: the second against the first. */
interface Pairs {
  op: string
  first: Round
  second: Round
  /** The median of the paired second/first req/s. */
  ratio: number
  /** Each pair's second/first req/s, in the order run. */
  pairs: number[]
}

/**
 * One operation on two targets, their rounds alternating (as service and bare rounds do), so
 * that the machine's drift between two separate comparisons does not pass for a difference
 * between them: the 1,000-record and the large database, or two builds (`--against`).
 */
async function pairsOf(a: Target, aOp: Operation, b: Target, bOp: Operation, label: string): Promise<Pairs> {
  await load(a, aOp, 10, WARM_UP_S)
  await load(b, bOp, 10, WARM_UP_S)
  const first: Round[] = []
  const second: Round[] = []
  for (let r = 0; r < SCALING_ROUNDS; r++) {
    first.push(await load(a, aOp, 10, DURATION))
    second.push(await load(b, bOp, 10, DURATION))
  }
  const pairs = second.map((x, i) => x.rps / (first[i]?.rps ?? 1))
  const ratio = median(pairs)
  const result = { op: aOp.name, first: med(first), second: med(second), ratio, pairs }
  log(
    `${aOp.name}: ${label} ${ratio.toFixed(2)} (${result.second.rps.toFixed(0)} vs ${result.first.rps.toFixed(0)} req/s, ` +
      `cpu ${result.second.cpuUsPerReq.toFixed(0)} vs ${result.first.cpuUsPerReq.toFixed(0)} µs/req; pairs ${pairs.map((x) => x.toFixed(2)).join(', ')})`,
  )
  return result
}

/**
 * PUT {temperature} at 10 connections on the service, on bench/write-server.ts (the same write
 * with bare node:http around it and nothing else) and on bare node:http, their rounds
 * alternating: how far the write alone, with no HTTP path to speak of, gets towards bare.
 */
interface WriteBound {
  service: Round
  write: Round
  bare: Round
  /** Medians of each round's req/s over the bare round that followed it. */
  serviceRatio: number
  writeRatio: number
  /** Each round's write-alone/bare req/s, in the order run. */
  writePairs: number[]
}

async function writeBoundOf(service: Target, write: Target, bare: Target, op: Operation): Promise<WriteBound> {
  await mirror(service, bare, op)
  await mirror(service, write, op)
  const servers = [service, write, bare]
  for (const server of servers) await load(server, op, 10, WARM_UP_S)
  const rounds: Round[][] = servers.map(() => [])
  for (let r = 0; r < SCALING_ROUNDS; r++) {
    for (const [i, server] of servers.entries()) rounds[i]?.push(await load(server, op, 10, DURATION))
  }
  const [s, w, b] = rounds as [Round[], Round[], Round[]]
  const over = (xs: Round[]) => xs.map((x, i) => x.rps / (b[i]?.rps ?? 1))
  const result = { service: med(s), write: med(w), bare: med(b), serviceRatio: median(over(s)), writeRatio: median(over(w)), writePairs: over(w) }
  log(
    `${op.name}, the write alone (node:http, no framework): ${result.write.rps.toFixed(0)} req/s, ratio ${result.writeRatio.toFixed(2)} ` +
      `(rounds ${result.writePairs.map((x) => x.toFixed(2)).join(', ')}), cpu ${result.write.cpuUsPerReq.toFixed(0)} µs/req; ` +
      `service ${result.service.rps.toFixed(0)} req/s, ratio ${result.serviceRatio.toFixed(2)}; bare ${result.bare.rps.toFixed(0)}`,
  )
  return result
}

function log(text: string): void {
  process.stderr.write(`[bench] ${text}\n`)
}

// ---------------------------------------------------------------- databases

/** A fresh database of the backend under benchmark, made (and dropped) as the tests make theirs. */
function freshDatabase(): Promise<TestDatabase> {
  return createTestDatabase(usePg ? 'postgres' : 'sqlite', process.env.DATABASE_URL ?? PG_ADMIN_URL)
}

/** `use` on a storage opened for `db`, closed after. */
async function withStorage<T>(db: TestDatabase, use: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = openDatabase(db.config)
  try {
    return await use(storage)
  } finally {
    await storage.close()
  }
}

async function seeded(db: TestDatabase, box: SecretBox, orgs: number, big: number): Promise<Seeded> {
  return withStorage(db, async (storage) => {
    const started = performance.now()
    const result = await seed(storage, box, orgs, PER_ORG, big)
    log(`seeded ${result.records.toLocaleString('en')} LLMs in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return result
  })
}

/**
 * `seeded`, by another build's own code: the seed and storage modules next to its server bundle
 * (`<dist>/bundle/server.mjs`), so that its database holds the schema that build migrates to.
 */
async function seededBy(bundle: string, db: TestDatabase, box: SecretBox, orgs: number): Promise<Seeded> {
  const dist = resolve(dirname(bundle), '..')
  const theirs = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dist, path)).href)) as T
  const { openDatabase: open } = await theirs<{ openDatabase: typeof openDatabase }>('src/storage/database.js')
  const { seed: theirSeed } = await theirs<{ seed: typeof seed }>('bench/seed.js')
  const storage = open(db.config)
  try {
    return await theirSeed(storage, box, orgs, PER_ORG, 0)
  } finally {
    await storage.close()
  }
}

/** Writes in flight when the floor under PUT is measured: as many as the load's connections. */
const FLOOR_IN_FLIGHT = 10

/** The floor measured with fewer writes in flight too, to show what a commit costs besides its writes. */
const FLOOR_IN_FLIGHTS = [1, 3, FLOOR_IN_FLIGHT]

/** What bench/floor.ts measured, with `inFlight` writes at a time. */
interface Floor {
  inFlight: number
  /** CPU µs a write of the process that made it. */
  us: number
  /** PostgreSQL's server processes' CPU µs a write (0 on SQLite). */
  databaseUs: number
  /** Writes a commit carried (SQLite's group commits, PostgreSQL's statements). */
  perCommit: number | null
  /** Wall-clock µs a write. */
  wallUs: number
}

/** The writes a commit carried, or a dash when no commit was counted. */
function perCommitText(floor: Floor): string {
  return floor.perCommit === null ? '—' : floor.perCommit.toFixed(1)
}

/**
 * The floor under a PUT at `inFlight` connections: the domain's update of one field with its
 * database write, no HTTP, `inFlight` at a time, measured by bench/floor.ts in a process of its
 * own, started as the service is (its node flags, its core).
 */
function updateFloor(db: TestDatabase, key: string, ids: string[], inFlight: number): Floor {
  const [cmd, argv] = asService(FLOOR_JS)
  const env = { ...process.env, DATABASE_URL: db.url, LLMS_ENCRYPTION_KEY: key, FLOOR_IDS: JSON.stringify(ids), FLOOR_CALLS: String(quick ? 5000 : 30_000), FLOOR_IN_FLIGHT: String(inFlight) }
  const output = execFileSync(cmd, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString()
  return { inFlight, ...(JSON.parse(output) as Omit<Floor, 'inFlight'>) }
}

// ---------------------------------------------------------------- the run

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  let database = ''
  try {
    database = usePg
      ? execFileSync('psql', ['--version']).toString().trim()
      : `SQLite ${execFileSync(process.execPath, ['-e', "const D=require('better-sqlite3');console.log(new D(':memory:').prepare('select sqlite_version() v').get().v)"], { cwd: ROOT }).toString().trim()} (better-sqlite3)`
  } catch {
    database = usePg ? 'PostgreSQL' : 'SQLite'
  }
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${database}`
}

async function main(): Promise<void> {
  const key = randomBytes(32)
  const keyText = key.toString('base64')
  const box = new SecretBox(key)
  log(`machine: ${machine()}; pinned: ${canPin ? `service on core ${SERVER_CORE}, load on core ${LOAD_CORE}` : 'no'}`)

  const empty = await freshDatabase()
  const large = await freshDatabase()
  const small = await freshDatabase()
  const extra: TestDatabase[] = []
  const targets: Target[] = []
  try {
    // Start-up to ready on an empty database (created and migrated by the server itself).
    const emptyStart = await startService('empty', empty.url, keyText)
    await stop(emptyStart)

    if (args.against !== undefined) {
      // This build against another one (its bundle), each on a 1,000-record database of its own,
      // seeded by its own code: the other's may have a migration this one has not, or lack one.
      const bundle = resolve(args.against)
      if (!existsSync(bundle)) throw new Error(`--against: no server bundle at ${bundle} (build that checkout first)`)
      const smallSeed = await seeded(small, box, SMALL_ORGS, 0)
      const theirDb = await freshDatabase()
      extra.push(theirDb)
      const theirSeed = await seededBy(bundle, theirDb, box, SMALL_ORGS)
      const theirs = await startService('against', theirDb.url, keyText, bundle)
      const mine = await startService('this build', small.url, keyText)
      targets.push(theirs, mine)
      const theirOps = operations(theirSeed)
      for (const [index, op] of operations(smallSeed).entries()) {
        if (args.only === undefined || op.name.includes(args.only)) await pairsOf(theirs, theirOps[index] as Operation, mine, op, 'this build / against')
      }
      return
    }
    const bigSeed = await seeded(large, box, ORGS, BIG)
    const vacuumOff = await withStorage(large, autovacuumOff)
    const smallSeed = await seeded(small, box, SMALL_ORGS, 0)

    const startups: number[] = []
    for (let i = 0; i < 3; i++) {
      const s = await startService('large', large.url, keyText)
      startups.push(s.readyMs)
      await stop(s)
    }
    const npmStarts: number[] = []
    for (let i = 0; i < 3; i++) npmStarts.push(await npmStartMs(large.url, keyText))
    const service = await startService('service', large.url, keyText)
    const bare = await startBare()
    targets.push(service, bare)

    const rows: Row[] = []
    for (const op of operations(bigSeed)) {
      if (args.only !== undefined && !op.name.includes(args.only)) continue
      for (const c of CONNECTIONS) rows.push(await compare(service, bare, op, c))
    }
    // A run of some operations, or at other connection counts, writes no report: its tables would lack rows.
    if (args.only !== undefined || args.connections !== undefined) return

    // Does cost grow with the data? The same GET and PUT on 1,000 records and on the large
    // database, each served by a process started for this comparison: the service above has run
    // every other load by now, and its code and heap carry that history, which is not an effect of
    // the data's size (in one run its GET by id cost 45 µs a request where a process just started
    // on the 1,000 records cost 34; two just started, one on each database, cost 39 and 38–40).
    const smallService = await startService('small', small.url, keyText)
    const largeService = await startService('large, fresh', large.url, keyText)
    targets.push(smallService, largeService)
    const scaling: Pairs[] = []
    for (const [index, op] of operations(smallSeed).slice(0, 2).entries()) {
      scaling.push(await pairsOf(smallService, op, largeService, operations(bigSeed)[index] as Operation, 'large / 1,000 records'))
    }
    const rss = Math.max(...[service, smallService, largeService].map((t) => peakRssMb(t.child.pid ?? 0)))
    const floors = FLOOR_IN_FLIGHTS.map((inFlight) => updateFloor(small, keyText, smallSeed.sample.ids, inFlight))
    for (const floor of floors) {
      log(`the domain's update alone (no HTTP, ${floor.inFlight} in flight): ${floor.us.toFixed(0)} µs CPU a write${usePg ? `, PostgreSQL ${floor.databaseUs.toFixed(0)}` : ''}, ${perCommitText(floor)} a commit, ${floor.wallUs.toFixed(0)} µs wall`)
    }
    const putOp = operations(smallSeed).find((op) => op.name === 'PUT /v1/llms/{id} {temperature}') as Operation
    const writeServer = await startWriteServer(small.url, keyText, smallSeed.sample.ids[0] as string)
    targets.push(writeServer)
    const writeBound = await writeBoundOf(smallService, writeServer, bare, putOp)
    const writes = usePg ? await writeStatementsOf(small.url, keyText, putOp) : undefined
    if (writes !== undefined) log(`PUT {temperature}'s updates: ${writes.perStatement.toFixed(1)} a statement, ${writes.msEach.toFixed(2)} ms each, ${writes.busy.toFixed(2)} out on average; service core busy ${pct(writes.serviceBusy)}${scheduledText(writes)}`)

    writeReport({
      rows,
      scaling,
      rss,
      emptyStartMs: emptyStart.readyMs,
      largeStartMs: median(startups),
      npmStartMs: median(npmStarts),
      records: bigSeed.records,
      floors,
      writeBound,
      ...(writes !== undefined && { writes }),
      autovacuumOff: vacuumOff,
    })
  } finally {
    for (const t of targets) await stop(t)
    await Promise.all([empty, large, small, ...extra].map((db) => db.drop()))
  }
}

interface Report {
  rows: Row[]
  scaling: Pairs[]
  rss: number
  emptyStartMs: number
  largeStartMs: number
  /** `npm start` (build check included) to a ready /readyz, existing database. */
  npmStartMs: number
  records: number
  /** The domain's update and its database write alone, no HTTP, at FLOOR_IN_FLIGHTS (see updateFloor). */
  floors: Floor[]
  /** PUT {temperature} on the service, on the write alone and on bare (see writeBoundOf). */
  writeBound: WriteBound
  /** PostgreSQL: how PUTs' updates reached the database (see writeStatementsOf). */
  writes?: WriteStatements
  /** PostgreSQL: autovacuum does not reach llm_versions (see autovacuumOff); false on SQLite. */
  autovacuumOff: boolean
}

/**
 * A ratio to two decimals, or three when two would round it onto the other side of `goal` (a
 * 0.349 shown as 0.35 next to a goal of 0.35 and "no").
 */
function shown(ratio: number, goal: number): string {
  const two = ratio.toFixed(2)
  return Number(two) >= goal === ratio >= goal ? two : ratio.toFixed(3)
}

/** The targets of the issue "Performance", each met or not, from the rows above. */
function targetLines(r: Report): string[] {
  const row = (prefix: string) => r.rows.find((x) => x.operation.startsWith(prefix) && x.connections === 10)
  const ratio = (prefix: string, goal: number) => {
    const found = row(prefix)
    if (found === undefined) return undefined
    const byCpu = found.bare.cpuUsPerReq / found.service.cpuUsPerReq
    return {
      text: `${shown(found.ratio, goal)} (${found.service.cpuUsPerReq.toFixed(0)} µs CPU vs ${found.bare.cpuUsPerReq.toFixed(0)})`,
      met: found.ratio >= goal,
      byCpu: `${shown(byCpu, goal)}${byCpu >= goal ? '' : ' (short)'}`,
    }
  }
  const fresh = row('GET /v1/llms?search=<fresh')
  const targets: [string, string, { text: string; met: boolean; byCpu?: string } | undefined][] = usePg
    ? [
        ['GET by id, ratio', '≥ 0.35', ratio('GET /v1/llms/{id}', 0.35)],
        ['PUT {temperature}, ratio', '≥ 0.20', ratio('PUT /v1/llms/{id} {temperature}', 0.2)],
      ]
    : [
        ['GET by id, ratio', '≥ 0.60', ratio('GET /v1/llms/{id}', 0.6)],
        ['PUT {temperature}, ratio', '≥ 0.30', ratio('PUT /v1/llms/{id} {temperature}', 0.3)],
        ['list page of 10, ratio', '≥ 0.40', ratio('GET /v1/llms?page', 0.4)],
        ['search, fresh terms, p99', '≤ 10 ms', fresh === undefined ? undefined : { text: `${fresh.service.p99} ms (${fresh.service.cpuUsPerReq.toFixed(0)} µs CPU)`, met: fresh.service.p99 <= 10 }],
        ...r.scaling.map((s): [string, string, { text: string; met: boolean }] => [
          `${s.op}: large / 1,000 records`,
          '≥ 0.90',
          { text: shown(s.ratio, 0.9), met: s.ratio >= 0.9 },
        ]),
        ['peak RSS', '≤ 200 MB', { text: `${r.rss.toFixed(0)} MB`, met: r.rss <= 200 }],
      ]
  return [
    '## Targets (issue "Performance"; 10 connections)',
    '',
    '| target | goal | measured | met | the same by CPU |',
    '| --- | --- | ---: | --- | ---: |',
    ...targets.map(([name, goal, m]) => `| ${name} | ${goal} | ${m?.text ?? '(not run)'} | ${m === undefined ? '' : m.met ? 'yes' : '**no**'} | ${m?.byCpu ?? ''} |`),
    '',
    "A ratio is met by req/s, as the issue defines it. The last column divides bare's CPU a request by the service's: unlike req/s, it leaves out the time a server's core sat idle (a round the machine slowed, or one spent waiting on a chain of round trips, as PostgreSQL's writes do). Both move with the virtual machine's state from one run to the next.",
    '',
    ...floorLines(row('PUT /v1/llms/{id} {temperature}'), floorAt(r, FLOOR_IN_FLIGHT).us),
    ...ceilingLines(row('PUT /v1/llms/{id} {temperature}'), r.writes),
    ...writeBoundLines(r.writeBound, usePg ? 0.2 : 0.3),
    ...floorTableLines(r),
  ]
}

function floorAt(r: Report, inFlight: number): Floor {
  const floor = r.floors.find((f) => f.inFlight === inFlight)
  if (floor === undefined) throw new Error(`no floor at ${inFlight} in flight`)
  return floor
}

/**
 * The floor at each of FLOOR_IN_FLIGHTS: a commit costs a fixed amount besides the writes it
 * carries (on PostgreSQL a round trip, which wakes another process each way, and the server's
 * flush of its log), shared by as many writes as are waiting when it goes.
 */
function floorTableLines(r: Report): string[] {
  return [
    `The floor with ${FLOOR_IN_FLIGHTS.join(', ')} writes at a time (\`bench/floor.ts\`): a commit${usePg ? ' (a statement of batched updates, its own transaction)' : ''} costs ${usePg ? 'the service and PostgreSQL' : 'the service'} a fixed amount besides the writes it carries, so a write costs more the fewer writes share its commit.`,
    '',
    `| writes in flight | writes a commit | CPU µs a write |${usePg ? ' PostgreSQL CPU µs a write |' : ''} wall µs a write |`,
    `| ---: | ---: | ---: |${usePg ? ' ---: |' : ''} ---: |`,
    ...r.floors.map((f) => `| ${f.inFlight} | ${perCommitText(f)} | ${f.us.toFixed(0)} |${usePg ? ` ${f.databaseUs.toFixed(0)} |` : ''} ${f.wallUs.toFixed(0)} |`),
    '',
  ]
}

/**
 * A PUT costs the service at least its write (the floor, no HTTP) and the HTTP work bare
 * node:http does for a request (read it, answer it): on one core, that bounds its ratio to bare.
 */
function floorLines(put: Row | undefined, floorUs: number): string[] {
  if (put === undefined) return []
  const bareUs = put.bare.cpuUsPerReq
  return [
    `PUT {temperature} at 10 connections: its write alone (the floor: the domain's update and its database write, ${FLOOR_IN_FLIGHT} at a time, no HTTP; see Resources) cost ${floorUs.toFixed(0)} µs of CPU, and bare node:http spent ${bareUs.toFixed(0)} µs a request on HTTP alone. A PUT costs the service at least both, ${(floorUs + bareUs).toFixed(0)} µs, so on one core it could reach at most a ratio of ${(bareUs / (floorUs + bareUs)).toFixed(2)} however cheap the rest of its HTTP path were. The service spent ${put.service.cpuUsPerReq.toFixed(0)} µs a request.`,
    '',
  ]
}

/** The write alone against bare, next to the service (see writeBoundOf), and what it says of the PUT's target `goal`. */
function writeBoundLines(w: WriteBound, goal: number): string[] {
  const us = (x: Round) => `${x.cpuUsPerReq.toFixed(0)}${usePg ? ` (PostgreSQL ${x.databaseCpuUsPerReq.toFixed(0)})` : ''}`
  const verdict =
    w.writeRatio < goal
      ? `below the goal of ${goal.toFixed(2)}: on this run's machine no HTTP path, however lean, would have met the PUT target; what holds it is the write itself (the domain's update, the database's statement and commit) and the cores it shares.`
      : `at or above the goal of ${goal.toFixed(2)}: the write leaves room for an HTTP path to meet it.`
  return [
    `PUT {temperature} at 10 connections with no HTTP path to speak of: \`bench/write-server.ts\` runs the same write (the domain's update and its database write, as the floor) behind bare node:http, with no framework, authentication, validation, serialization or log line, and answers the service's bytes. Its rounds alternated with the service's and bare's on the 1,000-record database, ${SCALING_ROUNDS} of each after ${WARM_UP_S} s of warm-up:`,
    '',
    `| server | req/s | ratio to bare | CPU µs/req${usePg ? ' (PostgreSQL)' : ''} | load generator CPU µs/req |`,
    '| --- | ---: | ---: | ---: | ---: |',
    `| the service | ${w.service.rps.toFixed(0)} | ${w.serviceRatio.toFixed(2)} | ${us(w.service)} | ${w.service.loadCpuUsPerReq.toFixed(0)} |`,
    `| the write alone | ${w.write.rps.toFixed(0)} | ${w.writeRatio.toFixed(2)} | ${us(w.write)} | ${w.write.loadCpuUsPerReq.toFixed(0)} |`,
    `| bare node:http | ${w.bare.rps.toFixed(0)} | 1 | ${us(w.bare)} | ${w.bare.loadCpuUsPerReq.toFixed(0)} |`,
    '',
    `The write alone reached ${w.writeRatio.toFixed(2)} of bare (each round: ${w.writePairs.map((x) => x.toFixed(2)).join(', ')}), ${verdict}`,
    '',
  ]
}

/**
 * On PostgreSQL the database server shares the machine's cores with the service and the load
 * generator: what it and the load generator spend a request bounds the req/s whatever the
 * service costs.
 */
function ceilingLines(put: Row | undefined, writes: WriteStatements | undefined): string[] {
  if (!usePg || put === undefined) return []
  const others = put.service.databaseCpuUsPerReq + put.service.loadCpuUsPerReq
  const cores = cpus().length
  const most = (cores * 1e6) / others
  const all = others + put.service.cpuUsPerReq
  const mostOfAll = (cores * 1e6) / all
  return [
    `PUT {temperature} at 10 connections: PostgreSQL's processes spent ${put.service.databaseCpuUsPerReq.toFixed(0)} µs of CPU a request and the load generator ${put.service.loadCpuUsPerReq.toFixed(0)}, on the same ${cores} cores as the service; with the service costing nothing at all, those two alone would allow at most ${most.toFixed(0)} req/s, a ratio of ${(most / put.bare.rps).toFixed(2)} to bare (${put.bare.rps.toFixed(0)} req/s). The service itself spent ${put.service.cpuUsPerReq.toFixed(0)} µs a request.`,
    '',
    `All three together spent ${all.toFixed(0)} µs of CPU a PUT: with every one of the ${cores} cores busy all the time, at most ${mostOfAll.toFixed(0)} req/s, a ratio of ${(mostOfAll / put.bare.rps).toFixed(2)} to bare; the rounds ran at ${put.service.rps.toFixed(0)} req/s, ${((put.service.rps * all) / (cores * 1e6) * 100).toFixed(0)} % of the cores' time. Ten connections keep at most ten requests in the chain of service, PostgreSQL and load generator, so each waits on the others and the cores are not all busy at once.`,
    '',
    ...(writes === undefined
      ? []
      : [
          `How a PUT's update reaches PostgreSQL (PUT {temperature} at 10 connections for ${DURATION} s on the 1,000-record database after ${WARM_UP_S} s of them, read from the /metrics of a service started for it, ${writes.rps.toFixed(0)} req/s): ${writes.perStatement.toFixed(1)} updates a statement, ${writes.msEach.toFixed(2)} ms each from sent to answered, ${writes.busy.toFixed(2)} statements out on average (up to two, pipelined on one connection), while the service's core was busy ${pct(writes.serviceBusy)} of the time (req/s × CPU a request).`,
          '',
          ...(writes.service === undefined || writes.backend === undefined
            ? []
            : [
                `Over that round, by the scheduler's counts (\`/proc/<pid>/schedstat\`): the service's main thread ran ${pct(writes.service.onCore)} of the time and was ready to run but waiting for a core ${pct(writes.service.waiting)}; PostgreSQL's busiest process, the backend that runs those statements, ran ${pct(writes.backend.onCore)}, waited for a core ${pct(writes.backend.waiting)}, and slept the other ${pct(1 - writes.backend.onCore - writes.backend.waiting)} (its commits' flushes to the disk, and waits for the next statement). Time spent waiting for a core is time the chain of ten requests stands still.`,
                '',
              ]),
        ]),
  ]
}

function writeReport(r: Report): void {
  const f = (n: number, d = 0) => n.toFixed(d)
  const command = `npm run bench${usePg ? ' -- --pg' : ''}${quick ? ' -- --quick' : ''}`
  const lines = [
    `# Benchmarks (${usePg ? 'PostgreSQL' : 'SQLite, the embedded default'})`,
    '',
    `Written by \`${command}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.`,
    `Server and load generator pinned to different cores: ${canPin ? `yes (service and bare server on core ${SERVER_CORE}, autocannon on core ${LOAD_CORE})` : 'no'}.`,
    `Database: ${r.records.toLocaleString('en')} LLMs (${ORGS.toLocaleString('en')} organizations of ${PER_ORG}, and one of ${BIG.toLocaleString('en')}), plus the built-in defaults.`,
    `Each figure is the median of ${ROUNDS} rounds of ${DURATION} s, after ${WARM_UP_S} s of the same load on each server; service and bare node:http rounds alternate, and the`,
    'ratio is the median of the paired service/bare req/s. CPU is the server process\'s own user+system time per',
    'request (from /proc/<pid>/stat). Request logging is on (info level, to /dev/null), as in production.',
    ...(usePg
      ? [
          'PostgreSQL CPU is that of all its server processes on this machine (the same cores), per request of the service.',
          r.autovacuumOff
            ? "Autovacuum is off on this server: the dead rows the writes leave (one in llm_versions for each write once its version is swept) are not reclaimed during the run, and index-only scans read the table for every row."
            : 'Autovacuum runs on this server.',
        ]
      : []),
    '',
    `| operation | conns | ratio to bare | req/s | p50 ms | p99 ms | CPU µs/req |${usePg ? ' PostgreSQL CPU µs/req |' : ''} load generator CPU µs/req | bare req/s | bare CPU µs/req | failures | peak RSS so far, MB |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: |${usePg ? ' ---: |' : ''} ---: | ---: | ---: | ---: | ---: |`,
    ...r.rows.map(
      (row) =>
        `| \`${row.operation}\` | ${row.connections} | **${f(row.ratio, 2)}** | ${f(row.service.rps)} | ${row.service.p50} | ${row.service.p99} | ${f(row.service.cpuUsPerReq)} |${usePg ? ` ${f(row.service.databaseCpuUsPerReq)} |` : ''} ${f(row.service.loadCpuUsPerReq)} | ${f(row.bare.rps)} | ${f(row.bare.cpuUsPerReq)} | ${row.service.failures} | ${f(row.peakRssMb)} |`,
    ),
    '',
    '## Does the cost grow with the data? (10 connections)',
    '',
    `Each database is served by a process started for this comparison (the service above carries the history of every load before it); their rounds alternate, ${SCALING_ROUNDS} pairs of ${DURATION} s after ${WARM_UP_S} s of warm-up each, and the ratio is the median of the paired req/s.`,
    '',
    '| operation | 1,000 records: req/s | CPU µs/req | large: req/s | CPU µs/req | large / small | each pair |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...r.scaling.map(
      (s) => `| \`${s.op}\` | ${f(s.first.rps)} | ${f(s.first.cpuUsPerReq)} | ${f(s.second.rps)} | ${f(s.second.cpuUsPerReq)} | **${f(s.ratio, 2)}** | ${s.pairs.map((x) => f(x, 2)).join(', ')} |`,
    ),
    '',
    ...targetLines(r),
    '## Resources',
    '',
    `- The domain's update of one field with its database write (row, version snapshot with its audit event, commit), called directly with no HTTP at all, ${FLOOR_IN_FLIGHT} at a time as ${FLOOR_IN_FLIGHT} connections ask for them, in a process started as the service is (its node flags${canPin ? `, core ${SERVER_CORE}` : ''}; \`bench/floor.ts\`): **${f(floorAt(r, FLOOR_IN_FLIGHT).us)} µs CPU a write** — the floor under \`PUT\` at 10 connections, whatever the HTTP layer costs.`,
    ...(usePg ? [] : ['- Where that write goes (its statements alone, the WAL pages of each commit by table and index): [BENCHMARKS-writes.md](BENCHMARKS-writes.md), written by `npm run bench:writes`.']),
    `- Peak RSS of the service under all of the load above: **${f(r.rss)} MB**.`,
    `- Start-up to a ready \`/readyz\`: empty database (created and migrated) **${f(r.emptyStartMs)} ms**; ${r.records.toLocaleString('en')}-record database **${f(r.largeStartMs)} ms** (median of 3); \`npm start\` (its build check included) to a ready \`/readyz\` on that database **${f(r.npmStartMs)} ms** (median of 3).`,
    '',
  ]
  writeFileSync(OUT, lines.join('\n'))
  log(`wrote ${OUT}`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
