/** Opens the database a DATABASE_URL names, with the same Kysely interface for both dialects. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DialectAdapter,
  sql,
  type DatabaseConnection,
  type KyselyConfig,
  type PostgresPool,
  type PostgresPoolClient,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely'
import { createRequire } from 'node:module'
import type pg from 'pg'
import type { DatabaseConfig } from '../config.js'
import type { Database, DialectName } from './schema.js'
import { SAFETY_NET_PAGES, startCheckpointer } from './checkpointer.js'
import { isoOfTimestamptz } from './values.js'

/**
 * SQLite only: a second, read-only connection to the same file for the hot reads, as prepared
 * statements. Being another connection, it reads only what is committed (never a transaction in
 * progress on the writer), and its `PRAGMA data_version` changes whenever any other connection
 * commits — this process's writer as much as another process — which is what keeps the read
 * caches coherent.
 */
export interface SqliteReader {
  /** Changes after every commit by any other connection to the file (SQLite's data_version). */
  dataVersion(): number
  /** A statement prepared once on the reader (by its SQL text). */
  statement(text: string): SQLite.Statement
}

/**
 * PostgreSQL only: a statement run as a named prepared statement, so the server parses and
 * plans it once per connection instead of on every request (and the query builder does not
 * compile it each time). Named by its text; past `PG_NAMED_MAX` texts, run unnamed.
 */
export interface PgStatements {
  /**
   * `planEach`: run unnamed, so PostgreSQL plans it for its values every time: a prepared
   * statement's generic plan cannot see a `LIKE` pattern and so cannot choose the trigram index.
   */
  rows<R>(text: string, values: readonly unknown[], options?: { planEach?: boolean }): Promise<R[]>
  /**
   * The same on one connection kept for the hot writes, pipelined: a statement sent while others
   * are out is written behind them at once, and PostgreSQL runs it as soon as they are done,
   * each its own transaction (a failing one fails alone), instead of waiting for this process to
   * read their answers and send it. See KyselyLlmRepository's pgWrites.
   */
  pipelined<R>(text: string, values: readonly unknown[]): Promise<R[]>
  /**
   * On another connection kept outside the pool, for the row stamps that every GET by id reads
   * (see KyselyLlmRepository.stampOf), one statement at a time: no checkout from the pool, no
   * release, no idle timer armed again for each. By `npm run bench -- --pg --only 'GET
   * /v1/llms/{id}' --against <the build before> --rounds 6`: 1.28 (pairs 1.20–1.37), 49 against
   * 57 µs of the service's CPU a GET; in pg's pipeline mode 1.19 and 1.25, so not in it.
   */
  kept<R>(text: string, values: readonly unknown[]): Promise<R[]>
}

/** How many statement texts get a name (each is prepared on every pooled connection that runs it). */
const PG_NAMED_MAX = 200

export interface Storage {
  db: Kysely<Database>
  dialect: DialectName
  /** SQLite files only (not `:memory:`): the read connection. */
  reader?: SqliteReader
  /**
   * SQLite: the connection Kysely writes through, for the hot write as prepared statements in
   * one synchronous transaction. Only while `inTransaction` is false: Kysely may hold a
   * transaction open across awaits, and nothing may run inside it.
   */
  writer?: SQLite.Database
  /**
   * SQLite: how many statements that may change the file the query builder has run
   * on the writing connection. Its own commits do not move `data_version` on that connection, so
   * this is how a cache of what its hot writes left learns of the others (see
   * KyselyLlmRepository.knownOnWriter).
   */
  builderWrites?: () => number
  /** PostgreSQL: the hot statements, prepared once per connection (see PgStatements). */
  pg?: PgStatements
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface OpenOptions {
  /** Called when an idle pooled connection fails (PostgreSQL restarts, terminated backends). */
  onPoolError?: (error: Error) => void
  /** Told how long each statement run through Kysely took, in ms (the metrics). */
  onStatement?: (ms: number) => void
  /** SQLite: checkpoint the WAL on a worker thread (the server); otherwise SQLite does it in commits (the CLI, tests). */
  checkpoints?: boolean
  /** PostgreSQL: how long a statement may wait for its answer (see pgSettings); 15 s unless a test shortens it. */
  queryTimeoutMs?: number
}

/** Kysely's query log, as statement timings. */
function statementLog(options: OpenOptions): KyselyConfig['log'] {
  const onStatement = options.onStatement
  if (onStatement === undefined) return undefined
  return (event) => onStatement(event.queryDurationMillis)
}

const require = createRequire(import.meta.url)

/** The pg driver, loaded on first use: the embedded default never pays for it at start-up. */
function loadPg(): typeof pg {
  const driver = require('pg') as typeof pg
  // PostgreSQL's bigint (count(*)) fits a JS number for any table this service will hold.
  driver.types.setTypeParser(driver.types.builtins.INT8, (text) => Number(text))
  // Timestamps as ISO text, as the service returns them, not as Dates (see isoOfTimestamptz).
  const timestamptz = driver.types.getTypeParser(driver.types.builtins.TIMESTAMPTZ)
  driver.types.setTypeParser(driver.types.builtins.TIMESTAMPTZ, (text) => isoOfTimestamptz(text, timestamptz))
  return driver
}

/**
 * better-sqlite3 behind a statement cache: Kysely prepares every query it runs, and preparing
 * costs more than running a lookup by primary key. Kysely's SQL is parameterised, so a few
 * hundred texts cover every query the service makes.
 */
function withStatementCache(file: SQLite.Database, onWrite: () => void, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => file.close(),
    prepare(text: string) {
      let statement = cache.get(text)
      if (statement === undefined) {
        statement = file.prepare(text)
        if (cache.size >= max) cache.delete(cache.keys().next().value as string)
        cache.set(text, statement)
      }
      // Kysely prepares every statement it runs; SQLite says which of them may change the file.
      if (!statement.readonly) onWrite()
      return statement
    },
  }
}

/**
 * Every SQLite transaction takes the write lock when it begins (BEGIN IMMEDIATE): a transaction
 * that reads and then writes never has to upgrade its lock, which another process (the CLI, a
 * second server) could refuse. Migrations by processes starting together are serialized too.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }

  // After some errors (a full disk, for one) SQLite has already rolled the transaction back; a
  // second rollback would fail and hide the error that matters.
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'))
    } catch (error) {
      if (!/no transaction is active/.test((error as Error).message)) throw error
    }
  }
}

/** SQLite's DDL is transactional: saying so makes Kysely's migrator run inside one (immediate) transaction. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings)
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings)
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}

/**
 * The read connection's page cache, in KiB. SQLite drops a connection's whole cache when it
 * begins a read after another connection committed, so under writes a larger one holds nothing.
 */
const SQLITE_READER_CACHE_KIB = 2048

/**
 * The writing connection's page cache, in KiB. Its own commits keep it valid, so it holds what a
 * write reads again: the pages of the hot rows and indexes, and the versions the sweep moves a
 * second after they were written (at a few thousand PUTs a second, megabytes back). With 2 MiB
 * it read 2.4 pages a PUT back from the file (strace, PUT {temperature} at 10 connections).
 */
const SQLITE_WRITER_CACHE_KIB = 16384

/**
 * The page size of a new database file (SQLite's default is 4 KiB). A write commits one WAL frame
 * (two write calls) for each page it dirtied, whatever its size; with 8 KiB pages a group of
 * writes dirties fewer of them (the table's hot rows and each index's entries share pages, the
 * versions' appended rows fill half as many). A file made with another page size keeps it (it
 * cannot change in WAL mode without a VACUUM) and works the same. See docs/decisions.md.
 */
const SQLITE_PAGE_SIZE = 8192

/** The read connection (see SqliteReader); its statements are prepared on first use, after migrations. */
function openReader(path: string): { api: SqliteReader; close: () => void } {
  const connection = new SQLite(path, { readonly: true })
  connection.pragma('busy_timeout = 5000')
  connection.pragma(`cache_size = -${SQLITE_READER_CACHE_KIB}`)
  const statements = new Map<string, SQLite.Statement>()
  const version = connection.prepare('pragma data_version').pluck()
  return {
    api: {
      dataVersion: () => version.get() as number,
      statement(text) {
        let statement = statements.get(text)
        if (statement === undefined) {
          statement = connection.prepare(text)
          statements.set(text, statement)
        }
        return statement
      },
    },
    close: () => connection.close(),
  }
}

/** The pool's settings, the kept connections' too. */
function pgSettings(config: Extract<DatabaseConfig, { dialect: 'postgres' }>, queryTimeoutMs = 15_000) {
  return {
    connectionString: config.url,
    connectionTimeoutMillis: 5000,
    // Names the service's sessions in pg_stat_activity, for operators (and the fault tests).
    application_name: 'llm-registry',
    // A query on a connection that silently died (a network partition sends no reset) fails
    // after this long instead of holding its request forever.
    query_timeout: queryTimeoutMs,
    keepAlive: true,
  }
}

/**
 * Whether a statement failed without PostgreSQL saying why (its errors are pg's DatabaseError):
 * pg's query_timeout on a connection gone silent, as across a network partition, which sends no
 * reset, or the connection's end. Such a connection is not to be used again.
 */
function unanswered(driver: typeof pg, error: unknown): boolean {
  return !(error instanceof driver.DatabaseError)
}

/**
 * One connection outside the pool (in pg's pipeline mode when `pipeline`), opened when first
 * used and opened again after it fails (a restart, pg_terminate_backend): the statements out on
 * it when it failed reject, as the pool's would. A statement `unanswered` drops the connection
 * too, as the pool drops a client released with an error: kept, a connection gone silent would
 * hold every later statement for the whole timeout as well.
 */
function keptConnection(driver: typeof pg, settings: ReturnType<typeof pgSettings>, onError: ((error: Error) => void) | undefined, pipeline: boolean) {
  let current: Promise<pg.Client> | undefined
  let closed = false
  const open = (): Promise<pg.Client> => {
    const client = new driver.Client({ ...settings, pipeline } as pg.ClientConfig)
    const opened = client.connect().then(() => client)
    const forget = () => {
      if (current === opened) current = undefined
    }
    client.on('error', (error) => {
      forget()
      onError?.(error)
    })
    client.on('end', forget)
    opened.catch(forget)
    current = opened
    return opened
  }
  const client = (): Promise<pg.Client> => {
    if (closed) return Promise.reject(new Error('the database is closed'))
    return current ?? open()
  }
  return {
    /** Runs `query` on the connection, dropping the connection when it fails without a word from PostgreSQL. */
    run: async <T>(query: (client: pg.Client) => Promise<T>): Promise<T> => {
      const opened = client()
      const on = await opened
      try {
        return await query(on)
      } catch (error) {
        // Unless it was dropped already (and perhaps opened again meanwhile).
        if (unanswered(driver, error) && current === opened) {
          current = undefined
          // With a statement still out, pg destroys the socket rather than wait for it.
          void on.end().catch(() => undefined)
        }
        throw error
      }
    },
    close: async (): Promise<void> => {
      closed = true
      const client = await current?.catch(() => undefined)
      await client?.end().catch(() => undefined)
    },
  }
}

type KeptConnection = ReturnType<typeof keptConnection>

/**
 * The pool as Kysely takes it, a client released with `destroy` once one of its statements went
 * `unanswered`: pg's own `pool.query` drops such a client, but Kysely put it back, and every
 * later statement on it waited out the whole timeout as well, until the system's TCP keepalive
 * gave up on it (two hours by default).
 */
function droppingSilentClients(pool: pg.Pool, driver: typeof pg): PostgresPool {
  return {
    connect: async () => {
      const client = await pool.connect()
      let silent = false
      const query = (text: string, parameters: readonly unknown[]) =>
        client.query(text, parameters as unknown[]).catch((error: unknown) => {
          if (unanswered(driver, error)) silent = true
          throw error
        })
      // Only the (text, parameters) form: Kysely passes a cursor only when the dialect is given one.
      return { query: query as unknown as PostgresPoolClient['query'], release: (destroy?: boolean) => client.release(destroy === true || silent) }
    },
    end: () => pool.end(),
  }
}

function pgStatements(pool: pg.Pool, writes: KeptConnection, reads: KeptConnection, onStatement: ((ms: number) => void) | undefined): PgStatements {
  const names = new Map<string, string>()
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text)
    if (name === undefined && names.size < PG_NAMED_MAX) {
      name = `llm_registry_${names.size + 1}`
      names.set(text, name)
    }
    return name
  }
  /** Runs a statement on `on` (the pool or a kept connection), named unless `name` is undefined, timed. */
  const run = async <R>(on: pg.Pool | pg.Client, text: string, values: readonly unknown[], name: string | undefined): Promise<R[]> => {
    const started = onStatement === undefined ? 0 : performance.now()
    const result = await on.query({ text, values: values as unknown[], ...(name !== undefined && { name }) })
    if (onStatement !== undefined) onStatement(performance.now() - started)
    return result.rows as R[]
  }
  return {
    rows: (text, values, options) => run(pool, text, values, options?.planEach === true ? undefined : nameOf(text)),
    pipelined: (text, values) => writes.run((client) => run(client, text, values, nameOf(text))),
    kept: (text, values) => reads.run((client) => run(client, text, values, nameOf(text))),
  }
}

/** Opens (and for SQLite creates) the database; migrations are run separately. */
export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Storage {
  if (config.dialect === 'sqlite') {
    mkdirSync(dirname(config.path), { recursive: true })
    const file = new SQLite(config.path)
    // Only a file with nothing in it yet takes it; it must come before the journal mode.
    file.pragma(`page_size = ${SQLITE_PAGE_SIZE}`)
    file.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a crash of the process; only power loss can drop the last commits.
    file.pragma('synchronous = NORMAL')
    file.pragma('busy_timeout = 5000')
    file.pragma('foreign_keys = ON')
    // SQLite's page cache is per connection (16 MB by default in better-sqlite3's build): bounded
    // here for the writer and kept small for the reader (see their constants).
    file.pragma(`cache_size = -${SQLITE_WRITER_CACHE_KIB}`)
    let builderWrites = 0
    const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(file, () => builderWrites++) }), log: statementLog(options) })
    const reader = config.path === ':memory:' ? undefined : openReader(config.path)
    // Checkpoints on a worker thread (see checkpointer.ts); commits only past the safety net.
    const checkpointer = reader === undefined || options.checkpoints !== true ? undefined : startCheckpointer(config.path, require.resolve('better-sqlite3'))
    if (checkpointer !== undefined) file.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`)
    return {
      db,
      dialect: 'sqlite',
      ...(reader !== undefined && { reader: reader.api, writer: file, builderWrites: () => builderWrites }),
      ping: async () => {
        await sql`select 1`.execute(db)
      },
      close: async () => {
        await checkpointer?.close()
        reader?.close()
        await db.destroy()
      },
    }
  }
  const driver = loadPg()
  const settings = pgSettings(config, options.queryTimeoutMs)
  const pool = new driver.Pool({ ...settings, max: config.poolMax, idleTimeoutMillis: 30_000 })
  const writes = keptConnection(driver, settings, options.onPoolError, true)
  const reads = keptConnection(driver, settings, options.onPoolError, false)
  // Without these listeners, a connection the server drops (restart, pg_terminate_backend) would
  // emit an unhandled 'error' and crash the process: idle ones through the pool, checked-out ones
  // (between two queries of a request) through the client. The failed query itself still rejects.
  pool.on('error', (error) => options.onPoolError?.(error))
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: droppingSilentClients(pool, driver) }), log: statementLog(options) })
  return {
    db,
    dialect: 'postgres',
    pg: pgStatements(pool, writes, reads, options.onStatement),
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    close: async () => {
      await Promise.all([writes.close(), reads.close()])
      await db.destroy()
    },
  }
}
