/**
 * Prometheus metrics (prom-client), for operators and for performance work. Served on a port of
 * their own (METRICS_PORT, 127.0.0.1 by default; see server.ts), never on the API's: they need no
 * key because they are not reachable from where the API is, and they hold no organization's data.
 */
import { createServer, type Server } from 'node:http'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ReadCache } from './read-cache.js'

export class Metrics {
  readonly registry = new Registry()
  private readonly requests = new Histogram({
    name: 'llmr_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, per route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  })
  /** One child per (method, route, status): an observation costs no label lookup. */
  private readonly children = new Map<string, { observe: (value: number) => void }>()
  readonly statements = new Histogram({
    name: 'llmr_db_statement_duration_seconds',
    help: 'Time of each database statement run through the query builder (writes, lists, cache misses).',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
    registers: [this.registry],
  })
  readonly rateLimitRefusals = new Counter({
    name: 'llmr_rate_limit_refusals_total',
    help: 'Requests refused with 429, per limit.',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  })
  readonly checks = new Counter({
    name: 'llmr_upstream_checks_total',
    help: 'URLs checked against their upstream, per outcome (`ok` or the problem).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  })

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'llmr_' })
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`
    let child = this.children.get(key)
    if (child === undefined) {
      child = this.requests.labels(method, route, String(status))
      this.children.set(key, child)
    }
    child.observe(seconds)
  }

  /** Exposes the read cache's counters, read when scraped. */
  watchReadCache(cache: ReadCache): void {
    const stats = () => cache.stats()
    new Gauge({ name: 'llmr_read_cache_entries', help: 'Answers held by the read cache.', registers: [this.registry], collect() { this.set(stats().entries) } })
    new Gauge({ name: 'llmr_read_cache_bytes', help: 'Bytes of answers held by the read cache.', registers: [this.registry], collect() { this.set(stats().bytes) } })
    new Gauge({ name: 'llmr_read_cache_hits_total', help: 'Answers served from the read cache.', registers: [this.registry], collect() { this.set(stats().hits) } })
    new Gauge({ name: 'llmr_read_cache_misses_total', help: 'Lookups the read cache could not answer.', registers: [this.registry], collect() { this.set(stats().misses) } })
    new Gauge({
      name: 'llmr_read_cache_invalidations_total',
      help: 'Times a commit (by this process or another) dropped every cached answer.',
      registers: [this.registry],
      collect() {
        this.set(stats().invalidations)
      },
    })
  }

  /** Exposes SQLite's group commit counts (see GroupCommit), read when scraped. */
  watchCommits(stats: () => { commits: number; writes: number }): void {
    new Gauge({ name: 'llmr_sqlite_commits_total', help: 'SQLite commits of the hot writes (each may carry several).', registers: [this.registry], collect() { this.set(stats().commits) } })
    new Gauge({ name: 'llmr_sqlite_committed_writes_total', help: 'Hot writes (creates, updates) those commits carried.', registers: [this.registry], collect() { this.set(stats().writes) } })
  }

  /** Exposes PostgreSQL's batched writes (see WriteBatch), read when scraped. */
  watchPgWrites(stats: () => { statements: number; writes: number; seconds: number }): void {
    new Gauge({ name: 'llmr_pg_write_statements_total', help: 'PostgreSQL statements of updates (each may carry several).', registers: [this.registry], collect() { this.set(stats().statements) } })
    new Gauge({ name: 'llmr_pg_statement_writes_total', help: 'Updates those statements carried.', registers: [this.registry], collect() { this.set(stats().writes) } })
    new Gauge({ name: 'llmr_pg_write_statement_seconds_total', help: 'Seconds those statements were out (sent to answered), summed over them.', registers: [this.registry], collect() { this.set(stats().seconds) } })
  }
}

/** The metrics port: GET /metrics in Prometheus's text format, 404 for anything else. */
export async function serveMetrics(metrics: Metrics, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n')
      return
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return server
}
