/** The LLM table behind the domain's repository port, one implementation for both dialects. */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely'
import { assertSameKeys, type SameKeys } from '../domain/type-checks.js'
import type { Llm, LlmFormat, LlmSettings, ReasoningEffort, ReasoningFormat, StoredLlm } from '../domain/llm.js'
import type { AuditEntry, Decide, ListQuery, ListResult, LlmRepository, VersionEntry, VersionSnapshot } from '../domain/ports.js'
import { keyIdOfSealed } from '../crypto/secret-box.js'
import { AppError } from '../domain/errors.js'
import { isUniqueViolation } from './errors.js'
import { OPERATOR, listHistory, newEventId, recordEvent } from './audit.js'
import { deleteVersionsOf, findVersion, listVersions, pruneVersions, snapshotRowOf } from './versions.js'
import { parseJson, newestFirst } from './values.js'
import type SQLite from 'better-sqlite3'
import type { PgStatements, SqliteReader, Storage } from './database.js'
import { SearchIndex } from './search-index.js'
import { Batch } from './batch.js'
import { WriteBatch } from './write-batch.js'
import { GroupCommit } from './group-commit.js'
import type { Database, DialectName, LlmsTable, LlmVersionsTable } from './schema.js'

type Row = Omit<Selectable<LlmsTable>, 'search_text'>

/** Every column but search_text, which only the database reads. */
const COLUMNS = [
  'id', 'display_name', 'description', 'llm_format', 'urls', 'model_name', 'temperature', 'max_tokens',
  'deployment_name', 'api_version', 'metadata', 'display_tags', 'is_default', 'is_global', 'is_zdr',
  'reasoning_effort', 'reasoning_format', 'created_by_organization_id', 'created_at', 'updated_at',
  'secret_sealed', 'secret_key_id', 'secret_updated_at', 'version',
] as const satisfies readonly (keyof LlmsTable)[]

/** The lookup by id on SQLite's read connection (the same columns as through Kysely). */
const BY_ID_SQL = `select ${COLUMNS.map((c) => `"${c}"`).join(', ')} from "llms" where "id" = ?`

/** Several rows by id on the read connection, one statement for any number (a JSON array of ids). */
const BY_IDS_SQL = `select ${COLUMNS.map((c) => `"${c}"`).join(', ')} from "llms" where "id" in (select "value" from json_each(?))`

/** The lookup by id as PostgreSQL's prepared statement. */
const PG_BY_ID_SQL = `select ${COLUMNS.map((c) => `"${c}"`).join(', ')} from "llms" where "id" = $1`

/** The same with the row's xmin, which every update of the row changes (see modifyOptimistic). */
const PG_BY_ID_XMIN_SQL = `select ${COLUMNS.map((c) => `"${c}"`).join(', ')}, xmin::text as "xmin" from "llms" where "id" = $1`

/** How many LLMs' rows, as this instance's own writes left them, are kept (see modifyOptimistic, knownOnWriter). */
const KNOWN_ROWS = 2_000

/**
 * PostgreSQL: the organization's own rows ($1) and the global rows it does not own, each with
 * `filters`; a list or search page is taken from both.
 */
function visibleSql(filters: string): { own: string; global: string } {
  return {
    own: `"created_by_organization_id" = $1 and ${filters}`,
    global: `"is_global" and ("created_by_organization_id" is null or "created_by_organization_id" <> $1) and ${filters}`,
  }
}

/**
 * The end of a page's statement, once `page` (ids and creation times) and "total" are chosen: the
 * page's whole rows, newest first, and one row with null columns carrying the total when the page
 * is empty.
 */
const PAGE_ROWS_SQL = [
  COLUMNS.map((c) => `l."${c}"`).join(', '),
  `from (select 1) as one left join (page join "llms" as l on l."id" = page."id") on true`,
  `order by page."created_at" desc, page."id" desc`,
].join(' ')

/**
 * A page of the list on PostgreSQL ($1 organization, $2 include defaults, $3 offset + limit,
 * $4 offset, $5 limit): see KyselyLlmRepository.list.
 */
const PG_PAGE_SQL = ((): string => {
  const { own, global } = visibleSql(`($2 or not "is_default")`)
  const walk = (where: string) => `(select "id", "created_at" from "llms" where ${where} order by "created_at" desc, "id" desc limit $3)`
  return [
    `with page as (select "id", "created_at" from (${walk(own)} union all ${walk(global)}) as both_parts`,
    `order by "created_at" desc, "id" desc offset $4 limit $5)`,
    `select (select count(*) from "llms" where ${own}) + (select count(*) from "llms" where ${global}) as "total",`,
    PAGE_ROWS_SQL,
  ].join(' ')
})()

/**
 * A page of a search on PostgreSQL ($1 organization, $2 include defaults, $3 offset, $4 limit,
 * $5 the pattern). The matching rows are found once, through the organization's trigram index,
 * and both the total and the page come from them: with the list's shape (a count, then an
 * ordered walk for the page) every candidate was checked against the pattern twice. By `npm run
 * bench -- --pg --only search` against the build before, on one machine: fresh terms in 10,000
 * 569 → 946–978 req/s (p99 39 → 21–22 ms), repeated terms 514 → 586–617 (p99 46 → 38–39).
 */
const PG_SEARCH_PAGE_SQL = ((): string => {
  const { own, global } = visibleSql(`($2 or not "is_default") and "search_text" like $5 escape '\\'`)
  return [
    `with matches as materialized (select "id", "created_at" from "llms" where ${own}`,
    `union all select "id", "created_at" from "llms" where ${global}),`,
    `page as (select "id", "created_at" from matches order by "created_at" desc, "id" desc offset $3 limit $4)`,
    `select (select count(*) from matches) as "total",`,
    PAGE_ROWS_SQL,
  ].join(' ')
})()

/** See KyselyLlmRepository.stampOf: several rows' stamps ($1, an array of ids). */
const PG_STAMPS_SQL = `select "id", "version" || '.' || xmin as "stamp" from "llms" where "id" = any($1::text[])`

/**
 * PostgreSQL: row stamps are read by one statement at a time, which (while stamps come several at
 * a time) waits three turns of the event loop before it goes; the stamps asked for meanwhile go
 * together (see Batch). Statements a GET
 * by id at 10 connections (counted by /metrics, hand-timed runs): a statement every turn
 * 0.21–0.24; one at a time 0.21–0.24 too; lingering one turn 0.139–0.147, two turns 0.105–0.106
 * (every connection's request in one statement), three no fewer. By `npm run bench -- --pg
 * --against <the build before> --only 'GET /v1/llms/{id}'`, 10 pairs: one at a time alone 1.02
 * (within the noise), with the two turns 1.22 (each pair 1.04–1.39); with the two turns only
 * while stamps come several at a time, 1.29 (1.08–1.58), and one connection alone as before.
 * Once the stamps had a connection of their own (2026-12-08, the same command, 4 rounds against
 * two turns): three turns 1.23 and 1.22 (pairs 1.14–1.37), four 1.23, six 1.24; two statements
 * out 1.02, two out and one turn 0.92. At 50 connections (`--connections 50 --rounds 3`, eight
 * runs with three turns, five with two): 0.59–0.66 with two turns and 0.61–0.70 with three, but for
 * two runs of three at 0.40 and 0.43 (p99 22–23 ms) that the full benchmark is to watch for.
 */
const PG_STAMP_READS_IN_FLIGHT = 1
const PG_STAMP_READS_LINGER = 3
const PG_STAMPS_MAX = 100

/** How long after a write its LLM's versions past the kept ones are deleted (see sweepVersions). */
const VERSION_SWEEP_MS = 1_000

/** How many LLMs' old versions one statement of a sweep deletes. */
const SWEEP_CHUNK = 500

/**
 * PostgreSQL: the updates of concurrent PUTs go as one statement (see WriteBatch), up to
 * PG_WRITE_BATCH_MAX together, at most PG_WRITES_IN_FLIGHT statements out at a time, all on one
 * pipelined connection (see PgStatements.pipelined). Measured (hand-timed, PUT {temperature} at
 * 10 connections, 3 alternating rounds), through the pool: one at a time 3,275–3,461 req/s with
 * PostgreSQL at 136–147 µs of CPU a write; two at a time 3,042–3,184 (175–179 µs: two backends
 * contend for the same pages); each write alone 2,651–2,690 (231–236 µs). With one at a time, a
 * statement was out 97 % of the time, 1.36 ms each for 4.9 updates, of which PostgreSQL ran it
 * for about 0.2 ms and waited about 0.12 ms for its commit to reach the disk: the rest was the
 * trip back, this process's event loop reaching the answer among the requests it was serving,
 * and the next statement's trip. Pipelined on one connection, the second statement waits in
 * PostgreSQL's input instead, and one backend runs them one after the other: two out, 4,402–4,494
 * req/s against 3,927–3,961 for one through the pool (two pairs, PostgreSQL's CPU a write
 * unchanged); three out, 4,261–4,306. By `npm run bench -- --pg --against <the build before>
 * --only 'PUT /v1/llms/{id} {temperature}' --rounds 6`: 1.11 (pairs 1.06–1.12).
 */
const PG_WRITES_IN_FLIGHT = 2
const PG_WRITE_BATCH_MAX = 16

/** How many times a PostgreSQL write is re-decided after losing a race before it takes the row's lock. */
const OPTIMISTIC_ATTEMPTS = 5

/** What the domain decides on a row this instance guesses is current; null when nothing is to be written on it. */
function decideOnGuess(decide: Decide, guess: StoredLlm): StoredLlm | null {
  try {
    return decide(guess)
  } catch {
    // Refused, perhaps only because the guess is old (an If-Match of a newer version): the row
    // is read afresh and the domain decides again, and refuses again if it must.
    return null
  }
}

/**
 * Every column of llm_versions, as snapshotRowOf makes them (the check below makes the list
 * total): the order in which both dialects' hot writes insert a version.
 */
const VERSION_COLUMNS = [
  'llm_id', 'version', 'at', 'action', 'key_id', 'changed_fields', 'restored_from', 'settings', 'has_secret', 'secret_updated_at', 'event_id',
] as const satisfies readonly (keyof LlmVersionsTable)[]
assertSameKeys<SameKeys<Record<(typeof VERSION_COLUMNS)[number], true>, Record<keyof LlmVersionsTable, true>>>()

/** What a decided change writes (see KyselyLlmRepository.changeOf). */
interface Change {
  written: StoredLlm
  /** The columns that changed, with their new values. */
  columns: [string, unknown][]
  /**
   * Their names, joined: the shape of the statement that writes them (SQLite's update, see
   * updateText; PostgreSQL's conditional write, see conditionalText) and its WriteBatch group.
   */
  names: string
  /** The new version, which also records the write's audit event (see LlmVersionsTable.event_id). */
  snapshot: ReturnType<typeof snapshotRowOf>
}

/**
 * A version of the LLM made at `createdAt`: an LLM deleted and made again under its id is another
 * LLM, whose versions start again from 1 (see KyselyLlmRepository.unswept and sweptTo).
 */
interface Written {
  createdAt: string
  version: number
}

/** A change to write only if the row is still at `version` with `xmin` (see modifyOptimistic). */
interface ConditionalWrite {
  id: string
  version: number
  xmin: string
  change: Change
}

/**
 * PostgreSQL: the updates of changes, each conditional on its row being exactly the one the
 * domain decided against (its version and its xmin), each with its version (which records its
 * audit event) written only if its update was, all in one statement (so one commit). Answers one
 * row: column `x<i>` is the i-th written row's new xmin, or null when nothing was written for
 * it. The writes must all change the same columns (one group of the WriteBatch). The text
 * depends only on how many changes there are and which columns they change, so a few texts cover
 * most writes: each is made once (see conditionalText) and prepared once per connection, and only
 * the values are gathered for each statement.
 */
function conditionalWrite(writes: readonly ConditionalWrite[]): { text: string; values: unknown[] } {
  const values: unknown[] = []
  for (const { id, version, xmin, change } of writes) {
    for (const [, value] of change.columns) values.push(value)
    values.push(id, version, xmin)
    for (const column of VERSION_COLUMNS) values.push(change.snapshot[column])
  }
  const first = writes[0] as ConditionalWrite
  return { text: conditionalText(writes.length, first.change), values }
}

/**
 * The text of conditionalWrite's statement for `count` changes like `change` (the same columns,
 * named by `change.names`), its parameters in the order conditionalWrite gathers the values: for
 * each change, the new columns' values, the row's id, version and xmin, then its version's
 * columns (VERSION_COLUMNS). Made once for each shape and kept (the same string each time, so
 * PostgreSQL's prepared statement is found by it without rebuilding or hashing it again):
 * measured by perf, building the text for every statement was 2 % of a PUT's CPU on PostgreSQL
 * and hashing it 1 %.
 */
function conditionalText(count: number, change: Change): string {
  return keptText(`conditional:${count}:${change.names}`, () => {
    let n = 0
    const param = () => `$${++n}`
    const parts = Array.from({ length: count }, (_, i) => {
      const set = change.columns.map(([column]) => `"${column}" = ${param()}`).join(', ')
      const where = `"id" = ${param()} and "version" = ${param()} and xmin = ${param()}::xid`
      const insert = `insert into "llm_versions" (${VERSION_COLUMNS.map((c) => `"${c}"`).join(', ')}) select ${VERSION_COLUMNS.map(param).join(', ')} from u${i}`
      return `u${i} as (update "llms" set ${set} where ${where} returning xmin::text as "xmin"), v${i} as (${insert})`
    })
    return `with ${parts.join(', ')} select ${parts.map((_, i) => `(select "xmin" from u${i}) as "x${i}"`).join(', ')}`
  })
}

/** The statement texts of the hot writes, by their shape (see keptText). */
const KEPT_TEXTS = new Map<string, string>()
const KEPT_TEXTS_MAX = 400

/**
 * The text `make` makes for a statement of the shape `key`, made once and kept, so that a write
 * gathers only its values; past KEPT_TEXTS_MAX shapes (each dialect has a few dozen at most in
 * practice), made each time. Keys are prefixed by what they are for, so they never clash.
 */
function keptText(key: string, make: () => string): string {
  let text = KEPT_TEXTS.get(key)
  if (text === undefined) {
    text = make()
    if (KEPT_TEXTS.size < KEPT_TEXTS_MAX) KEPT_TEXTS.set(key, text)
  }
  return text
}

/** Columns the service keeps for itself: never reported as a changed field. */
type BookkeepingColumn =
  | 'id'
  | 'created_by_organization_id'
  | 'created_at'
  | 'updated_at'
  | 'secret_key_id'
  | 'secret_updated_at'
  | 'version'
  | 'search_text'

/**
 * The API field each audited column stands for. Total by type both ways: a column added to the
 * table, or a setting added to the domain, that is not mapped here fails the build, so no change
 * can go missing from the audit trail.
 */
const FIELD_OF_COLUMN = {
  display_name: 'displayName',
  description: 'description',
  llm_format: 'llmFormat',
  urls: 'urls',
  model_name: 'modelName',
  temperature: 'temperature',
  max_tokens: 'maxTokens',
  deployment_name: 'deploymentName',
  api_version: 'apiVersion',
  metadata: 'metadata',
  display_tags: 'displayTags',
  is_default: 'isDefault',
  is_global: 'isGlobal',
  is_zdr: 'isZdr',
  reasoning_effort: 'reasoningEffort',
  reasoning_format: 'reasoningFormat',
  secret_sealed: 'secret',
} as const satisfies Record<Exclude<keyof LlmsTable, BookkeepingColumn>, keyof LlmSettings | keyof Llm | 'secret'>
assertSameKeys<SameKeys<Record<keyof LlmSettings, true>, Record<Extract<(typeof FIELD_OF_COLUMN)[keyof typeof FIELD_OF_COLUMN], keyof LlmSettings>, true>>>()

function fieldOf(column: string): string | undefined {
  return (FIELD_OF_COLUMN as Record<string, string>)[column]
}

/** The lower-cased text that substring search runs on. */
export function searchTextOf(llm: Pick<Llm, 'displayName' | 'modelName' | 'description'>): string {
  // U+001F (unit separator) keeps a search from matching across two fields.
  return [llm.displayName, llm.modelName ?? '', llm.description ?? ''].join('\u001f').toLowerCase()
}

/** A LIKE pattern that matches `text` literally anywhere (`%`, `_` and `\` escaped). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/** A caller-chosen id that is taken: the same answer whoever holds it, and nothing more. */
function takenIdOr(error: unknown): unknown {
  return isUniqueViolation(error) ? new AppError('id_not_available', 'id not available') : error
}

export function fromRow(row: Row): StoredLlm {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    llmFormat: row.llm_format as LlmFormat,
    urls: parseJson(row.urls),
    modelName: row.model_name,
    temperature: row.temperature,
    maxTokens: row.max_tokens,
    deploymentName: row.deployment_name,
    apiVersion: row.api_version,
    metadata: parseJson(row.metadata),
    displayTags: parseJson(row.display_tags),
    isDefault: Boolean(row.is_default),
    isGlobal: Boolean(row.is_global),
    isZdr: Boolean(row.is_zdr),
    reasoningEffort: row.reasoning_effort as ReasoningEffort,
    reasoningFormat: row.reasoning_format as ReasoningFormat,
    createdByOrganizationId: row.created_by_organization_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    hasSecret: row.secret_sealed !== null,
    secretUpdatedAt: row.secret_updated_at,
    sealedSecret: row.secret_sealed,
    version: row.version,
  }
}

/** A column's value made from a record, and the record's fields it is made of (see changedColumns). */
type ColumnOf<C extends keyof LlmsTable> = readonly [from: readonly (keyof StoredLlm)[], value: (llm: StoredLlm) => Insertable<LlmsTable>[C]]

/** How a record is stored: every column of the table (the type makes the list total). */
const COLUMNS_OF_RECORD: { [C in keyof LlmsTable]-?: ColumnOf<C> } = {
  id: [['id'], (llm) => llm.id],
  display_name: [['displayName'], (llm) => llm.displayName],
  description: [['description'], (llm) => llm.description],
  llm_format: [['llmFormat'], (llm) => llm.llmFormat],
  urls: [['urls'], (llm) => JSON.stringify(llm.urls)],
  model_name: [['modelName'], (llm) => llm.modelName],
  temperature: [['temperature'], (llm) => llm.temperature],
  max_tokens: [['maxTokens'], (llm) => llm.maxTokens],
  deployment_name: [['deploymentName'], (llm) => llm.deploymentName],
  api_version: [['apiVersion'], (llm) => llm.apiVersion],
  metadata: [['metadata'], (llm) => JSON.stringify(llm.metadata)],
  display_tags: [['displayTags'], (llm) => JSON.stringify(llm.displayTags)],
  is_default: [['isDefault'], (llm) => (llm.isDefault ? 1 : 0)],
  is_global: [['isGlobal'], (llm) => (llm.isGlobal ? 1 : 0)],
  is_zdr: [['isZdr'], (llm) => (llm.isZdr ? 1 : 0)],
  reasoning_effort: [['reasoningEffort'], (llm) => llm.reasoningEffort],
  reasoning_format: [['reasoningFormat'], (llm) => llm.reasoningFormat],
  created_by_organization_id: [['createdByOrganizationId'], (llm) => llm.createdByOrganizationId],
  created_at: [['createdAt'], (llm) => llm.createdAt],
  updated_at: [['updatedAt'], (llm) => llm.updatedAt],
  secret_sealed: [['sealedSecret'], (llm) => llm.sealedSecret],
  secret_key_id: [['sealedSecret'], (llm) => (llm.sealedSecret === null ? null : keyIdOfSealed(llm.sealedSecret))],
  secret_updated_at: [['secretUpdatedAt'], (llm) => llm.secretUpdatedAt],
  version: [['version'], (llm) => llm.version],
  search_text: [['displayName', 'modelName', 'description'], searchTextOf],
}
const RECORD_COLUMNS = Object.entries(COLUMNS_OF_RECORD) as [keyof LlmsTable, ColumnOf<keyof LlmsTable>][]

export function toRow(llm: StoredLlm): Insertable<LlmsTable> {
  const row: Record<string, unknown> = {}
  for (const [column, [, value]] of RECORD_COLUMNS) row[column] = value(llm)
  return row as unknown as Insertable<LlmsTable>
}

/**
 * SQLite's inserts of the hot writes (a create's row, every write's version), each of every
 * column of its table, their texts made once: made for every write, from the row's keys, and
 * then hashed to find the prepared statement, they were about 1 % of a PUT's CPU (perf).
 */
const INSERTS = {
  llms: insertOf('llms', RECORD_COLUMNS.map(([column]) => column)),
  llm_versions: insertOf('llm_versions', VERSION_COLUMNS),
}

/** An insert of `columns` (their values bound in that order), and of `more` (column → an SQL expression) after them. */
function insertOf(table: string, columns: readonly string[], more: Record<string, string> = {}): { text: string; columns: readonly string[] } {
  const names = [...columns, ...Object.keys(more)].map((c) => `"${c}"`).join(', ')
  const values = [...columns.map(() => '?'), ...Object.values(more)].join(', ')
  return { text: `insert into "${table}" (${names}) values (${values})`, columns }
}

/**
 * SQLite: an update's new version, linked into its LLM's chain (see migration 0009) by the update
 * that follows it (updateText), its values VERSION_COLUMNS and then the LLM's id. Linked here, it
 * passes by the triggers that link the versions other statements insert.
 */
const CHAINED_VERSION_INSERT = insertOf('llm_versions', VERSION_COLUMNS, { prev: '(select "versions_head" from "llms" where "id" = ?)' }).text

/**
 * The text of SQLite's update of `change`'s columns, kept by their names (see keptText), run
 * right after CHAINED_VERSION_INSERT: the row points to the version just inserted as its newest.
 */
function updateText(change: Change): string {
  return keptText(
    `update:${change.names}`,
    () => `update "llms" set ${change.columns.map(([c]) => `"${c}" = ?`).join(', ')}, "versions_head" = last_insert_rowid() where "id" = ?`,
  )
}

/**
 * The columns whose stored values differ between two records, with the second's values. A column
 * is only made (its JSON written, its search text lowered) when a field it is made of is not the
 * very same value in both: a PUT of one field compares one or two columns, not the whole row twice.
 */
function changedColumns(before: StoredLlm, after: StoredLlm): [string, unknown][] {
  const changed: [string, unknown][] = []
  for (const [column, [from, value]] of RECORD_COLUMNS) {
    if (column === 'id' || sameFields(before, after, from)) continue
    const next = value(after)
    if (next !== value(before)) changed.push([column, next])
  }
  return changed
}

/** Whether each of `fields` is the very same value in both records (no closure: this runs on every update). */
function sameFields(a: StoredLlm, b: StoredLlm, fields: readonly (keyof StoredLlm)[]): boolean {
  for (const field of fields) if (a[field] !== b[field]) return false
  return true
}

export class KyselyLlmRepository implements LlmRepository {
  private readonly db: Kysely<Database>
  private readonly dialect: DialectName

  /** How many versions of each LLM are kept (LLM_VERSIONS_KEPT); 0 keeps all. */
  private readonly versionsKept: number

  /** SQLite's read connection, for the hot lookups as prepared statements. */
  private readonly reader: SqliteReader | undefined

  /** SQLite: the writing connection's prepared statements (see writeStatement). */
  private readonly writes = new Map<string, SQLite.Statement>()
  /** SQLite: the hot writes (create, update) of one turn of the event loop commit together, on the writing connection. */
  private readonly group: GroupCommit | undefined

  /** PostgreSQL's hot statements (see PgStatements). */
  private readonly pg: PgStatements | undefined
  /**
   * The rows this instance's writes left. PostgreSQL: guesses for the next write, which its
   * conditional write confirms (see modifyOptimistic). SQLite: the rows as they are, while nothing
   * else has written (see knownOnWriter); `xmin` is unused there.
   */
  private readonly knownRows = new Map<string, { llm: StoredLlm; xmin: string }>()
  /**
   * PostgreSQL: this instance's writes of an LLM take turns (see inTurn): the last one's
   * promise, settled whatever its outcome, by id.
   */
  private readonly turns = new Map<string, Promise<void>>()
  /** SQLite: what `knownRows` holds is true while these three have not moved (see knownOnWriter). */
  private knownAt = { dataVersion: -1, builderWrites: -1, rollbacks: -1 }
  /** SQLite: `pragma data_version` on the writing connection. */
  private writerVersion: SQLite.Statement | undefined
  private readonly builderWrites: () => number

  /** PostgreSQL: the conditional writes of concurrent updates, sent and committed together (see WriteBatch). */
  private readonly pgWrites: WriteBatch<ConditionalWrite, string | null> | undefined

  /** PostgreSQL: row stamps, read for all the requests of one turn of the event loop at once. */
  private readonly stamps: Batch<string, string | undefined> | undefined

  /** SQLite's in-memory substring index (see search-index.ts). */
  private readonly searchIndex: SearchIndex | undefined

  /**
   * LLMs written since the last sweep that may hold versions past the kept ones (see
   * sweepVersions), with the newest version this instance wrote of each.
   */
  private readonly unswept = new Map<string, Written>()
  private sweepTimer: NodeJS.Timeout | undefined
  /**
   * By LLM (by its id and when it was made), a version at and below which this instance's sweeps
   * have deleted every version, so that the next sweep need not walk them again (see sweepVersions).
   */
  private readonly sweptTo = new Map<string, Written>()

  constructor(storage: Storage, options: { versionsKept?: number } = {}) {
    this.db = storage.db
    this.dialect = storage.dialect
    this.reader = storage.reader
    this.group = storage.writer === undefined ? undefined : new GroupCommit(storage.writer)
    this.pg = storage.pg
    this.builderWrites = storage.builderWrites ?? (() => 0)
    const pg = storage.pg
    this.stamps =
      pg === undefined
        ? undefined
        : new Batch(
            async (ids) => {
              const rows = await pg.kept<{ id: string; stamp: string }>(PG_STAMPS_SQL, [ids])
              const byId = new Map(rows.map((row) => [row.id, row.stamp]))
              return ids.map((id) => byId.get(id))
            },
            { max: PG_STAMPS_MAX, inFlight: PG_STAMP_READS_IN_FLIGHT, linger: PG_STAMP_READS_LINGER },
          )
    this.pgWrites =
      pg === undefined
        ? undefined
        : new WriteBatch(
            async (writes) => {
              // In the order of their ids, so two instances' statements lock rows in the same order.
              const sorted = [...writes].sort((a, b) => (a.id < b.id ? -1 : 1))
              const { text, values } = conditionalWrite(sorted)
              const [row] = await pg.pipelined<Record<string, string | null>>(text, values)
              const xmins = new Map(sorted.map((write, i) => [write.id, row?.[`x${i}`] ?? null]))
              return writes.map((write) => xmins.get(write.id) ?? null)
            },
            (write) => write.id,
            // The columns it changes: a statement's text depends on them (see conditionalWrite).
            (write) => write.change.names,
            PG_WRITES_IN_FLIGHT,
            PG_WRITE_BATCH_MAX,
          )
    this.searchIndex = storage.reader === undefined ? undefined : new SearchIndex(storage.reader)
    this.versionsKept = options.versionsKept ?? 100
  }

  /**
   * A page of what an organization sees: its own LLMs and the global ones. The two sets are read
   * separately, each as an ordered walk of its own index that stops after offset + limit entries
   * (an OR of both would make the database sort every visible row for every page), merged here,
   * and only the page's rows are then fetched whole.
   */
  async list(query: ListQuery): Promise<ListResult> {
    if (this.searchIndex !== undefined && this.reader !== undefined && query.search !== null && query.search !== '') {
      const { ids, total } = this.searchIndex.search(query.organizationId, query.search, query.includeDefaults, query.offset, query.limit)
      if (ids.length === 0) return { items: [], total }
      const rows = this.reader.statement(BY_IDS_SQL).all(JSON.stringify(ids)) as Row[]
      const byId = new Map(rows.map((row) => [row.id, row]))
      return { items: ids.flatMap((id) => { const row = byId.get(id); return row === undefined ? [] : [fromRow(row)] }), total }
    }
    if (this.pg !== undefined) return this.listPg(this.pg, query)
    const wanted = query.offset + query.limit
    const [own, global, counts] = await Promise.all([
      this.visible(query, 'own').select(['id', 'created_at']).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(wanted).execute(),
      this.visible(query, 'global').select(['id', 'created_at']).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(wanted).execute(),
      Promise.all([
        this.visible(query, 'own').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        this.visible(query, 'global').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]),
    ])
    const total = Number(counts[0].n) + Number(counts[1].n)
    const pageIds = [...own, ...global]
      .map((row) => ({ id: row.id, at: row.created_at }))
      .sort(newestFirst)
      .slice(query.offset, wanted)
      .map((row) => row.id)
    if (pageIds.length === 0) return { items: [], total }
    const rows = await this.db.selectFrom('llms').select(COLUMNS).where('id', 'in', pageIds).execute()
    const byId = new Map(rows.map((row) => [row.id, row]))
    const items = pageIds.flatMap((id) => {
      const row = byId.get(id)
      return row === undefined ? [] : [fromRow(row)]
    })
    return { items, total }
  }

  /**
   * `list` on PostgreSQL as one statement, the page's rows and the total in one round trip: a
   * list page as a prepared statement (PG_PAGE_SQL), a search page planned for its pattern
   * (PG_SEARCH_PAGE_SQL). With no row on the page, one row still carries the total (its columns
   * null).
   */
  private async listPg(pg: PgStatements, query: ListQuery): Promise<ListResult> {
    const searching = query.search !== null && query.search !== ''
    const values: unknown[] = searching
      ? [query.organizationId, query.includeDefaults, query.offset, query.limit, containsPattern(query.search as string)]
      : [query.organizationId, query.includeDefaults, query.offset + query.limit, query.offset, query.limit]
    const rows = await pg.rows<Row & { total: number }>(searching ? PG_SEARCH_PAGE_SQL : PG_PAGE_SQL, values, { planEach: searching })
    const total = rows[0]?.total ?? 0
    return { items: rows.flatMap((row) => (row.id === null ? [] : [fromRow(row)])), total }
  }

  /** The organization's own LLMs, or the global ones it does not own, with the query's filters. */
  private visible(query: ListQuery, part: 'own' | 'global') {
    let q = this.db.selectFrom('llms')
    q =
      part === 'own'
        ? q.where('created_by_organization_id', '=', query.organizationId)
        : q
            .where('is_global', '=', sql.lit(true))
            .where((eb) =>
              eb.or([eb('created_by_organization_id', 'is', null), eb('created_by_organization_id', '!=', query.organizationId)]),
            )
    if (!query.includeDefaults) q = q.where('is_default', '=', sql.lit(false))
    if (query.search !== null && query.search !== '') {
      q = q.where(sql<boolean>`search_text like ${containsPattern(query.search)} escape '\\'`)
    }
    return q
  }

  async findById(id: string): Promise<StoredLlm | undefined> {
    if (this.reader !== undefined) {
      const found = this.reader.statement(BY_ID_SQL).get(id) as Row | undefined
      return found === undefined ? undefined : fromRow(found)
    }
    if (this.pg !== undefined) {
      const [found] = await this.pg.rows<Row>(PG_BY_ID_SQL, [id])
      return found === undefined ? undefined : fromRow(found)
    }
    const row = await this.db.selectFrom('llms').select(COLUMNS).where('id', '=', id).executeTakeFirst()
    return row === undefined ? undefined : fromRow(row)
  }

  /**
   * PostgreSQL: the row's version and `xmin` (the transaction that wrote this version of the
   * row). Every update bumps the version and writes a new row version; deleting and creating
   * the same id again starts the version over but is another transaction, so a stamp never
   * comes back once the row has changed (short of 2^32 transactions wrapping xmin around to the
   * same value while the version also returns to the same number). Read in batches: see Batch.
   */
  stampOf(id: string): Promise<string | undefined> {
    if (this.stamps === undefined) throw new Error('row stamps are read on PostgreSQL only')
    return this.stamps.load(id)
  }

  /**
   * PostgreSQL: how many statements of conditional writes have gone (see WriteBatch), the writes
   * they carried, and the seconds they were out (sent to answered), summed over them: over a span
   * of time, that sum is how many were out on average.
   */
  pgWriteStats(): { statements: number; writes: number; seconds: number } {
    const stats = this.pgWrites?.stats
    return { statements: stats?.calls ?? 0, writes: stats?.writes ?? 0, seconds: (stats?.outMs ?? 0) / 1000 }
  }

  /** SQLite: how many group commits there have been, and the writes they carried (see GroupCommit). */
  commitStats(): { commits: number; writes: number } {
    return { commits: this.group?.commits ?? 0, writes: this.group?.writes ?? 0 }
  }

  async insert(llm: StoredLlm, by: string): Promise<void> {
    const created = this.creationOf(llm, by)
    const locked = () =>
      this.db.transaction().execute(async (trx) => {
        try {
          await trx.insertInto('llms').values(created.row).execute()
        } catch (error) {
          throw takenIdOr(error)
        }
        await trx.insertInto('llm_versions').values(created.snapshot).execute()
      })
    const group = this.group
    if (group === undefined) return locked()
    const { writer } = group
    return group.run(() => {
      this.insertNow(writer, 'llms', created.row, true)
      this.insertNow(writer, 'llm_versions', created.snapshot)
    }, locked)
  }

  /** The rows a create writes: the record, and its first version, which records the audit event (the fields it sets). */
  private creationOf(llm: StoredLlm, by: string) {
    const row = toRow(llm)
    const fields = Object.entries(row).flatMap(([column, value]) => (value === null ? [] : (fieldOf(column) ?? [])))
    return { row, snapshot: snapshotRowOf(llm, { action: 'create', keyId: by, changedFields: fields, at: llm.createdAt, eventId: newEventId() }) }
  }

  /** A statement prepared once on SQLite's writing connection (by its text). */
  private writeStatement(writer: SQLite.Database, text: string): SQLite.Statement {
    let prepared = this.writes.get(text)
    if (prepared === undefined) {
      prepared = writer.prepare(text)
      this.writes.set(text, prepared)
    }
    return prepared
  }

  /** Inserts one row on SQLite's writing connection; `byCaller`: a taken id is the caller's error. */
  private insertNow(writer: SQLite.Database, table: keyof typeof INSERTS, row: object, byCaller = false): void {
    const { text, columns } = INSERTS[table]
    const values = row as Record<string, unknown>
    try {
      this.writeStatement(writer, text).run(...columns.map((c) => values[c]))
    } catch (error) {
      throw byCaller ? takenIdOr(error) : error
    }
  }

  async versions(id: string, limit: number, offset: number): Promise<{ items: VersionEntry[]; total: number }> {
    return listVersions(this.db, this.dialect, id, this.versionsKept, limit, offset)
  }

  async version(id: string, version: number): Promise<VersionSnapshot | undefined> {
    return findVersion(this.db, this.dialect, id, this.versionsKept, version)
  }

  async history(id: string, limit: number, offset: number): Promise<{ items: AuditEntry[]; total: number }> {
    return listHistory(this.db, this.dialect, id, limit, offset)
  }

  /** Inserts records that are not there yet (by id); returns how many were new. */
  async insertMissing(llms: StoredLlm[]): Promise<number> {
    if (llms.length === 0) return 0
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('llms')
        .values(llms.map(toRow))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute()
      const fresh = new Set(inserted.map((row) => row.id))
      const snapshots = llms
        .filter((llm) => fresh.has(llm.id))
        .map((llm) => snapshotRowOf(llm, { action: 'create', keyId: OPERATOR, changedFields: [], at: llm.createdAt }))
      if (snapshots.length > 0) await trx.insertInto('llm_versions').values(snapshots).onConflict((oc) => oc.doNothing()).execute()
      return fresh.size
    })
  }

  async modify(id: string, decide: Decide, by: string, restoredFrom?: number): Promise<StoredLlm | undefined> {
    const group = this.group
    if (group !== undefined) {
      const { writer } = group
      return group.run(
        () => this.modifyNow(writer, id, decide, by, restoredFrom),
        () => this.modifyLocked(id, decide, by, restoredFrom),
      )
    }
    const { pg, pgWrites } = this
    if (pg !== undefined && pgWrites !== undefined) return this.inTurn(id, () => this.modifyOptimistic(pg, pgWrites, id, decide, by, restoredFrom))
    return this.modifyLocked(id, decide, by, restoredFrom)
  }

  /** The read-decide-write under the row's lock, through the query builder (any dialect). */
  private async modifyLocked(id: string, decide: Decide, by: string, restoredFrom?: number): Promise<StoredLlm | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let select = trx.selectFrom('llms').select(COLUMNS).where('id', '=', id)
      if (this.dialect === 'postgres') select = select.forUpdate()
      const row = await select.executeTakeFirst()
      const current = row === undefined ? undefined : fromRow(row)
      const next = decide(current)
      if (next === null || current === undefined) return current
      const change = this.changeOf(current, next, by, restoredFrom)
      await trx.updateTable('llms').set(Object.fromEntries(change.columns)).where('id', '=', id).execute()
      await trx.insertInto('llm_versions').values(change.snapshot).execute()
      this.pushedOut(change.written)
      return change.written
    })
  }

  /**
   * The rows a change writes, once the domain has decided it: only the columns that changed
   * (less to write, and no index touched without need) and the version's snapshot, which also
   * records the audit event.
   */
  private changeOf(current: StoredLlm, next: StoredLlm, by: string, restoredFrom: number | undefined): Change {
    const written: StoredLlm = { ...next, id: current.id, version: current.version + 1 }
    const columns = changedColumns(current, written)
    const names = columns.map(([column]) => column).join()
    const fields = columns.flatMap(([column]) => fieldOf(column) ?? [])
    const action = restoredFrom !== undefined ? 'restore' : fields.length === 1 && fields[0] === 'secret' ? 'secret' : 'update'
    const at = written.updatedAt ?? new Date().toISOString()
    return { written, columns, names, snapshot: snapshotRowOf(written, { action, keyId: by, changedFields: fields, at, restoredFrom, eventId: newEventId() }) }
  }

  /**
   * `modify` on SQLite as prepared statements, run inside a group's transaction (see GroupCommit):
   * the same reads, decision and writes, without the query builder and without yielding, so
   * nothing else can run inside it. A throw (the domain refusing) rolls back what it wrote.
   */
  private modifyNow(writer: SQLite.Database, id: string, decide: Decide, by: string, restoredFrom?: number): StoredLlm | undefined {
    const statement = (text: string) => this.writeStatement(writer, text)
    let current = this.knownOnWriter(writer, id)
    if (current === undefined) {
      const row = statement(BY_ID_SQL).get(id) as Row | undefined
      current = row === undefined ? undefined : fromRow(row)
    }
    const next = decide(current)
    if (next === null || current === undefined) return current
    const change = this.changeOf(current, next, by, restoredFrom)
    const { snapshot } = change
    statement(CHAINED_VERSION_INSERT).run(...VERSION_COLUMNS.map((c) => snapshot[c]), id)
    statement(updateText(change)).run(...change.columns.map(([, v]) => v), id)
    this.know(id, { llm: change.written, xmin: '' })
    this.pushedOut(change.written)
    return change.written
  }

  /**
   * SQLite, inside a group's transaction: the row as this instance's last write of it left it,
   * when that is certainly what the row holds, so that the write need not read and decode it
   * again (a few per cent of a PUT's CPU). Certain while three counters stand still since the rows
   * were kept: the writing connection's `data_version` (which moves when any other connection,
   * another process included, commits; read inside the transaction, which holds the write lock),
   * the statements that may write run by the query builder on this connection (a delete, a
   * re-encryption, the sweep: its own commits do not move `data_version`), and the group
   * commit's rollbacks (a rolled-back write's row is gone whatever it returned). When any has
   * moved, every kept row is forgotten and the rows are read again.
   */
  private knownOnWriter(writer: SQLite.Database, id: string): StoredLlm | undefined {
    this.writerVersion ??= writer.prepare('pragma data_version').pluck()
    const dataVersion = this.writerVersion.get() as number
    const builderWrites = this.builderWrites()
    const rollbacks = this.group?.rollbacks ?? 0
    const at = this.knownAt
    if (dataVersion !== at.dataVersion || builderWrites !== at.builderWrites || rollbacks !== at.rollbacks) {
      this.knownRows.clear()
      this.knownAt = { dataVersion, builderWrites, rollbacks }
      return undefined
    }
    return this.knownRows.get(id)?.llm
  }

  /**
   * `modify` on PostgreSQL without holding a lock: read the row, let the domain decide, then one
   * statement that updates the row only if it is still exactly the row the domain decided against
   * (same version, same xmin: any write to the row by anyone changes its xmin) and, in the same
   * statement (so atomically), writes the audit event and the version's snapshot. If another
   * writer got there first, nothing was written and the whole step runs again on the new row;
   * after a few such losses (a row under heavy contention) it waits its turn for the row's lock.
   *
   * One round trip instead of two when this instance's own last write left the row: that row is
   * a guess, and the conditional write is what confirms it. A guess is only ever used to
   * write; when the domain writes nothing on it (no change, or it refuses: an If-Match against a
   * version this instance has not seen) or the write finds another row, the row is read afresh
   * and the domain decides again. So no decision stands on a row that was not current.
   *
   * The conditional write goes with those of other PUTs decided meanwhile, as one statement
   * (see WriteBatch): each is still conditional on its own row and answered on its own.
   */
  private async modifyOptimistic(
    pg: PgStatements,
    writes: WriteBatch<ConditionalWrite, string | null>,
    id: string,
    decide: Decide,
    by: string,
    restoredFrom?: number,
  ): Promise<StoredLlm | undefined> {
    let guess = this.knownRows.get(id)
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      let base = guess
      let next = base === undefined ? null : decideOnGuess(decide, base.llm)
      guess = undefined
      if (base === undefined || next === null) {
        const [row] = await pg.rows<Row & { xmin: string }>(PG_BY_ID_XMIN_SQL, [id])
        const current = row === undefined ? undefined : fromRow(row)
        next = decide(current)
        if (next === null || row === undefined || current === undefined) return current
        base = { llm: current, xmin: row.xmin }
      }
      const change = this.changeOf(base.llm, next, by, restoredFrom)
      const xmin = await writes.run({ id, version: base.llm.version, xmin: base.xmin, change })
      if (xmin != null) {
        this.know(id, { llm: change.written, xmin })
        this.pushedOut(change.written)
        return change.written
      }
      this.knownRows.delete(id)
    }
    return this.modifyLocked(id, decide, by, restoredFrom)
  }

  /**
   * Runs `write` of the LLM `id` once this instance's writes of it asked for before are done.
   * Decided while another is out, a write would be decided against the row as it was before that
   * one: its conditional write would then find the row changed, and it would read the row and go
   * again, two statements more. Measured (hand-timed, PUT {temperature} on 200 LLMs at 10
   * connections): 5.8 % of the writes went twice that way. In turn, each is decided against the
   * row its predecessor left, which this instance knows (see knownRows).
   */
  private async inTurn<T>(id: string, write: () => Promise<T>): Promise<T> {
    const before = this.turns.get(id)
    const mine = before === undefined ? write() : before.then(write)
    const done = mine.then(
      () => undefined,
      () => undefined,
    )
    this.turns.set(id, done)
    try {
      return await mine
    } finally {
      if (this.turns.get(id) === done) this.turns.delete(id)
    }
  }

  /** Keeps the row a write left (see knownRows), the oldest going first past KNOWN_ROWS. */
  private know(id: string, row: { llm: StoredLlm; xmin: string }): void {
    this.knownRows.delete(id)
    if (this.knownRows.size >= KNOWN_ROWS) this.knownRows.delete(this.knownRows.keys().next().value as string)
    this.knownRows.set(id, row)
  }

  /**
   * Notes a write that pushed an LLM's oldest kept version out, so that the next sweep deletes it.
   * Pruning in the write's own transaction cost a PUT on SQLite about a third of its CPU (the
   * deleted row's pages are far from the new one's, so every write dirtied, logged and
   * checkpointed pages of its own); swept a second later, the versions pushed out by a second of
   * writes go together, a few pages for many rows. Until then they are stored but never served
   * (see keptVersions).
   */
  private pushedOut(written: StoredLlm): void {
    if (this.versionsKept === 0 || written.version <= this.versionsKept) return
    const unswept = this.unswept.get(written.id)
    // Kept up to date in place: this runs on every write past the kept ones. A write of an LLM
    // made again under its id (deleted and made by another instance since this one's last write
    // of it) starts the entry again: the versions of the one before went with its delete.
    if (unswept === undefined || unswept.createdAt !== written.createdAt) this.unswept.set(written.id, { createdAt: written.createdAt, version: written.version })
    else unswept.version = Math.max(unswept.version, written.version)
    this.sweepTimer ??= setTimeout(() => void this.sweepVersions(), VERSION_SWEEP_MS).unref()
  }

  /**
   * Deletes the versions past the kept ones of the LLMs written since the last sweep: everything
   * older, so versions a crash or a lowered LLM_VERSIONS_KEPT left behind go at that LLM's next
   * write in the process started after it. A failed sweep (the database closing, say) is not
   * retried: nothing it leaves is served.
   *
   * Once a sweep has deleted an LLM's versions up to its newest write's less the kept ones, none
   * at or below that is stored again (a write adds a version above the row's), so the next sweep
   * walks that LLM's versions only from there (see pruneVersions, sweptTo). Unless the LLM was
   * deleted and made again under its id, by this instance or another, which starts its versions
   * again from 1: the mark is kept with when the LLM was made, and used only for that LLM.
   */
  private async sweepVersions(): Promise<void> {
    this.sweepTimer = undefined
    const llms = [...this.unswept].map(([id, { createdAt, version }]) => {
      const swept = this.sweptTo.get(id)
      return { id, createdAt, newest: version, above: swept?.createdAt === createdAt ? swept.version : 0 }
    })
    this.unswept.clear()
    try {
      for (let i = 0; i < llms.length; i += SWEEP_CHUNK) {
        const chunk = llms.slice(i, i + SWEEP_CHUNK)
        // The audit events these versions record stay in the trail (see pruneVersions).
        await pruneVersions(this.db, this.dialect, chunk, this.versionsKept)
        for (const { id, createdAt, newest } of chunk) this.swept(id, { createdAt, version: newest - this.versionsKept })
      }
    } catch {
      // Nothing lost: the rows are never served as versions, their events are still in the trail,
      // and the LLM's next write sweeps them again.
    }
  }

  /** Notes that the versions up to `mark.version` of the LLM `id` made at `mark.createdAt` are all deleted (see sweptTo), the oldest noted going first past KNOWN_ROWS. */
  private swept(id: string, mark: Written): void {
    this.sweptTo.delete(id)
    if (this.sweptTo.size >= KNOWN_ROWS) this.sweptTo.delete(this.sweptTo.keys().next().value as string)
    this.sweptTo.set(id, mark)
  }

  async remove(id: string, check: (current: StoredLlm | undefined) => void, by: string): Promise<void> {
    this.knownRows.delete(id)
    await this.db.transaction().execute(async (trx) => {
      let select = trx.selectFrom('llms').select(COLUMNS).where('id', '=', id)
      if (this.dialect === 'postgres') select = select.forUpdate()
      const row = await select.executeTakeFirst()
      check(row === undefined ? undefined : fromRow(row))
      // A deleted LLM's versions go with it (its id may be chosen again by a later create); the
      // audit events they record stay in the trail (see deleteVersionsOf), which reads the row,
      // so it goes last.
      await deleteVersionsOf(trx, this.dialect, id)
      await trx.deleteFrom('llms').where('id', '=', id).execute()
      await trx.deleteFrom('llm_checks').where('llm_id', '=', id).execute()
      await recordEvent(trx, {
        action: 'delete',
        keyId: by,
        llmId: id,
        organizationId: row?.created_by_organization_id ?? null,
        version: row === undefined ? undefined : row.version + 1,
      })
    })
  }
}
