/**
 * Where a SQLite write's cost goes (the profile behind the PUT target in BENCHMARKS.md):
 *
 *   npm run bench:writes      (prints the tables and writes them to BENCHMARKS-writes.md)
 *
 * On a fresh database of 1,000 LLMs, the domain's update of one field (as a PUT makes it, without
 * HTTP) is repeated until every LLM has more versions than are kept (so each write pushes one
 * out, to be swept a second later, as in a long-running service), then measured: CPU a write, and
 * the pages each commit writes to the WAL, by the table or index they belong to (SQLite's
 * `dbstat`). For comparison, the same commit with the row's update alone, and with all the
 * statements but no domain code. Then, ten writes a commit as at 10 connections, the version's insert
 * as it is stored since migration 0009 against the index it replaced (see versionStores).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import SQLite from 'better-sqlite3'
import { SecretBox } from '../src/crypto/secret-box.js'
import { openDatabase } from '../src/storage/database.js'
import { createTestDatabase } from '../src/testing/harness.js'
import { seed } from './seed.js'
import { cpuUsPerCall, pick, updaterOf } from './updates.js'

const WRITES = 5000

/** Writes each LLM gets before any is timed: past its 100 kept versions, so every write pushes one out. */
const WRITES_EACH = 120

/** The WAL's frames, per commit, counted by the b-tree (table or index) their page belongs to. */
function framesByTree(file: SQLite.Database, walPath: string, commits: number): Map<string, number> {
  const owner = new Map<number, string>()
  for (const row of file.prepare('select name, pageno from dbstat').all() as { name: string; pageno: number }[]) owner.set(row.pageno, row.name)
  const wal = readFileSync(walPath)
  const pageSize = wal.readUInt32BE(8)
  const salts = [wal.readUInt32BE(16), wal.readUInt32BE(20)]
  const counts = new Map<string, number>()
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    // A frame of this log's generation carries its salts (older ones may follow a restart).
    if (wal.readUInt32BE(at + 8) !== salts[0] || wal.readUInt32BE(at + 12) !== salts[1]) break
    const page = wal.readUInt32BE(at)
    const tree = owner.get(page)
    const name =
      page === 1
        ? 'page 1 (the database header: the file grew)'
        : tree === undefined
          ? 'other (free list)'
          : tree.replace(/^sqlite_autoindex_(.+)_1$/, '$1 (primary key index)')
    counts.set(name, (counts.get(name) ?? 0) + 1 / commits)
  }
  return counts
}

/**
 * Ten writes a commit (as the group commit makes them at 10 connections) of the row's update and its
 * version's insert, with the values bound (no domain code): into llm_versions as it is since
 * migration 0009, appended and linked to the one before it of its LLM, the LLM's row pointing to
 * its newest; and into a copy of it as it was before, whose primary-key index (llm_id, version)
 * took each write's entry on a page of its own LLM.
 */
function versionStores(writer: SQLite.Database, walPath: string, ids: string[]) {
  const columns = 'llm_id, version, at, action, key_id, changed_fields, restored_from, settings, has_secret, secret_updated_at, event_id'
  writer.exec(`create table bench_indexed (llm_id text not null, version integer not null, at text not null, action text not null,
    key_id text not null, changed_fields text not null, restored_from integer, settings text not null, has_secret integer not null,
    secret_updated_at text, event_id text, primary key (llm_id, version))`)
  writer.exec(`insert into bench_indexed (${columns}) select ${columns} from llm_versions`)
  const settings = writer.prepare('select v.settings from llms l join llm_versions v on v.vid = l.versions_head where l.id = ?').pluck()
  const known = new Map(ids.map((id) => [id, settings.get(id) as string]))
  const versions = writer.prepare('select version from llms where id = ?').pluck()
  const version = new Map(ids.map((id) => [id, versions.get(id) as number]))
  const set = writer.prepare('update llms set temperature = ?, updated_at = ?, version = ? where id = ?')
  const indexed = writer.prepare(`insert into bench_indexed (${columns}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const chained = writer.prepare(`insert into llm_versions (${columns}, prev) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (select versions_head from llms where id = ?))`)
  const setHead = writer.prepare('update llms set temperature = ?, updated_at = ?, version = ?, versions_head = last_insert_rowid() where id = ?')
  const ten = writer.transaction((chain: boolean) => {
    for (let i = 0; i < 10; i++) {
      const id = pick(ids)
      const next = (version.get(id) as number) + 1
      version.set(id, next)
      const at = new Date().toISOString()
      const values = [id, next, at, 'update', 'bench', '["temperature"]', null, known.get(id), 1, at, randomUUID()]
      if (chain) {
        chained.run(...values, id)
        setHead.run(Math.random(), at, next, id)
      } else {
        set.run(Math.random(), at, next, id)
        indexed.run(...values)
      }
    }
  })
  const measure = async (chain: boolean) => {
    const cpu = await cpuUsPerCall(WRITES / 10, () => ten.immediate(chain))
    writer.pragma('wal_checkpoint(TRUNCATE)')
    writer.pragma('wal_autocheckpoint = 0')
    for (let i = 0; i < 20; i++) ten.immediate(chain)
    const wal = readFileSync(walPath)
    const frames = Math.floor((wal.length - 32) / (24 + wal.readUInt32BE(8)))
    writer.pragma('wal_autocheckpoint = 1000')
    return { us: cpu.us / 10, systemUs: cpu.systemUs / 10, frames: frames / 200 }
  }
  return { indexed: () => measure(false), chained: () => measure(true) }
}

async function main(): Promise<void> {
  const db = await createTestDatabase('sqlite')
  if (db.config.dialect !== 'sqlite') throw new Error('SQLite only')
  const path = db.config.path
  const box = new SecretBox(randomBytes(32))
  const storage = openDatabase(db.config)
  try {
    const seeded = await seed(storage, box, 10, 100, 0)
    const ids = seeded.sample.ids
    const { update } = await updaterOf(storage, box, ids)
    // Past the kept versions (100) of every LLM, so that each write pushes one out (and the sweep runs).
    await cpuUsPerCall(WRITES_EACH * ids.length, update)

    const writer = storage.writer as SQLite.Database
    // Every frame of n commits, with no checkpoint among them (which would restart the log).
    const frames = async (n: number, run: () => Promise<unknown> | void) => {
      writer.pragma('wal_checkpoint(TRUNCATE)')
      writer.pragma('wal_autocheckpoint = 0')
      for (let i = 0; i < n; i++) await run()
      const counted = framesByTree(writer, `${path}-wal`, n)
      writer.pragma('wal_autocheckpoint = 1000')
      return counted
    }

    const domain = await cpuUsPerCall(WRITES, update)
    const domainFrames = await frames(200, update)

    // The same statements with no domain code (a prepared statement each, one immediate transaction).
    const read = writer.prepare('select * from llms where id = ?')
    const set = writer.prepare('update llms set temperature = ?, updated_at = ?, version = ? where id = ?')
    // The snapshot (a copy of the newest, linked to it) also records the write's audit event (its
    // event_id), as the domain's write does; then the row, pointing to it.
    const snapshot = writer.prepare(`insert into llm_versions (llm_id, version, at, action, key_id, changed_fields, restored_from, settings, has_secret, secret_updated_at, event_id, prev)
      select ?, ?, ?, action, key_id, changed_fields, restored_from, settings, has_secret, secret_updated_at, ?, vid from llm_versions where vid = ?`)
    const setHead = writer.prepare('update llms set temperature = ?, updated_at = ?, version = ?, versions_head = last_insert_rowid() where id = ?')
    const statements = writer.transaction((all: boolean) => {
      const id = pick(ids)
      const row = read.get(id) as { version: number; versions_head: number }
      const version = row.version + 1
      const at = new Date().toISOString()
      if (!all) {
        set.run(Math.random(), at, version, id)
        return
      }
      snapshot.run(id, version, at, randomUUID(), row.versions_head)
      setHead.run(Math.random(), at, version, id)
    })
    const raw = await cpuUsPerCall(WRITES, () => statements.immediate(true))
    const rawFrames = await frames(200, () => statements.immediate(true))
    const alone = await cpuUsPerCall(WRITES, () => statements.immediate(false))
    const aloneFrames = await frames(200, () => statements.immediate(false))

    const stores = versionStores(writer, `${path}-wal`, ids)
    const indexed = await stores.indexed()
    const chained = await stores.chained()

    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)
    const f = (n: number) => n.toFixed(0)
    const lines = [
      `| write | CPU µs a write | of which system | WAL pages a commit |`,
      `| --- | ---: | ---: | ---: |`,
      `| the domain's update (PUT without HTTP) | ${f(domain.us)} | ${f(domain.systemUs)} | ${total(domainFrames).toFixed(1)} |`,
      `| its statements alone (read, update, snapshot) | ${f(raw.us)} | ${f(raw.systemUs)} | ${total(rawFrames).toFixed(1)} |`,
      `| the row's update alone | ${f(alone.us)} | ${f(alone.systemUs)} | ${total(aloneFrames).toFixed(1)} |`,
      '',
      `WAL pages a commit of the domain's update, by table or index:`,
      '',
      ...[...domainFrames].sort((a, b) => b[1] - a[1]).map(([name, n]) => `- ${name}: ${n.toFixed(2)}`),
      '',
      `Ten writes a commit (as at 10 connections), the row's update and its version's insert with the values bound, no sweep:`,
      '',
      `| the version stored | CPU µs a write | of which system | WAL pages a write |`,
      `| --- | ---: | ---: | ---: |`,
      `| in llm_versions, each version pointing to the one before of its LLM (since migration 0009) | ${f(chained.us)} | ${f(chained.systemUs)} | ${chained.frames.toFixed(2)} |`,
      `| in a table keyed by (llm_id, version), as before 0009 | ${f(indexed.us)} | ${f(indexed.systemUs)} | ${indexed.frames.toFixed(2)} |`,
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
    const version = (writer.prepare('select sqlite_version() as v').get() as { v: string }).v
    const report = [
      '# Where a SQLite write goes',
      '',
      `Written by \`npm run bench:writes\` (bench/write-anatomy.ts) on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node.js ${process.version}, SQLite ${version}.`,
      `A fresh database of 1,000 LLMs; every LLM past its 100 kept versions first, so each write pushes one out (deleted by the sweep a second later, its cost included); ${WRITES.toLocaleString('en')} writes timed, 200 counted in the WAL. No HTTP.`,
      '',
      ...lines,
      '',
    ]
    writeFileSync(fileURLToPath(new URL('../../BENCHMARKS-writes.md', import.meta.url)), report.join('\n'))
  } finally {
    await storage.close()
    await db.drop()
  }
}

await main()
