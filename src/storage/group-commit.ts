/**
 * SQLite group commit. The writes asked for during one turn of the event loop and the next run
 * after them, one after another, in one immediate transaction on the writing connection, and
 * each is answered only once that transaction has committed. A commit costs the same whether it carries
 * one write or ten (the WAL frames of the pages they share, the lock, the log's header), so under
 * concurrent writes each pays for a share of one.
 *
 * Nothing acknowledged can be lost: a caller hears of its write after the commit that holds it
 * (synchronous=NORMAL in WAL mode: durable once the commit returns, whatever becomes of the
 * process). Nothing refused is half-kept: when a write throws (the domain refusing, a taken id),
 * the group's transaction is rolled back and the group runs again with each write in a savepoint
 * of its own, so that the one that throws is rolled back alone and the others commit. (A group
 * in which nothing throws runs without savepoints: they cost a PUT a few per cent of its CPU.)
 * Each write still reads what the one before it wrote: they run in turn, as they would in
 * transactions of their own. If the transaction itself fails (the disk full, the lock not granted
 * in time), every write in it fails with that error, and none of them is in the database.
 */
import type SQLite from 'better-sqlite3'

interface Pending {
  /**
   * The write as synchronous statements (runs inside the group's transaction). It may run twice:
   * a second time, on the same database, when another write of its group threw.
   */
  now: () => unknown
  /** The same write when the connection is inside another transaction at the group's turn. */
  otherwise: () => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type Outcome = { value: unknown } | { error: unknown }

export class GroupCommit {
  private pending: Pending[] = []
  /** A better-sqlite3 transaction function: BEGIN IMMEDIATE at the top level, a savepoint inside one. */
  private readonly step: SQLite.Transaction<(run: () => unknown) => unknown>
  /** How many commits carried at least one write, and how many writes they carried (see /metrics). */
  commits = 0
  writes = 0
  /**
   * How many times a transaction or a savepoint of a group was rolled back (or its commit
   * failed): what the writes in it did is gone, whatever they returned meanwhile.
   */
  rollbacks = 0

  constructor(readonly writer: SQLite.Database) {
    this.step = writer.transaction((run: () => unknown) => run())
  }

  /**
   * Runs `now` in the next group's transaction and resolves with what it returned once that
   * transaction has committed (rejects with what it threw, its own statements rolled back).
   * `otherwise` runs instead when, at the group's turn, the connection is inside a transaction
   * the query builder holds open across awaits (nothing may run inside that one).
   */
  run<T>(now: () => T, otherwise: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ now, otherwise, resolve: resolve as (value: unknown) => void, reject })
      if (this.pending.length === 1) setImmediate(this.linger)
    })
  }

  /**
   * The group waits one more turn of the event loop before it commits, so that the writes of
   * requests read in that turn join it: under load a commit then carries more writes, each
   * paying a smaller share (at 10 connections, 8–9 writes a commit instead of 6; hand-timed,
   * PUT {temperature} on SQLite, 7 alternating pairs: 4–49 % more requests a second, median 6 %).
   * What it costs a lone write is one turn of an idle loop.
   */
  private readonly linger = (): void => {
    setImmediate(this.commit)
  }

  private readonly commit = (): void => {
    const group = this.pending
    this.pending = []
    if (this.writer.inTransaction) {
      for (const write of group) write.otherwise().then(write.resolve, write.reject)
      return
    }
    let outcomes: Outcome[]
    try {
      outcomes = group.length === 1 ? [this.alone(group[0] as Pending)] : this.together(group)
    } catch (error) {
      for (const write of group) write.reject(error)
      return
    }
    const kept = outcomes.filter((outcome) => !('error' in outcome)).length
    if (kept > 0) this.commits++
    this.writes += kept
    group.forEach((write, i) => {
      const outcome = outcomes[i] as Outcome
      if ('error' in outcome) write.reject(outcome.error)
      else write.resolve(outcome.value)
    })
  }

  /** One write in its own transaction: a throw rolls it back and is its outcome. */
  private alone(write: Pending): Outcome {
    let value: unknown
    try {
      value = this.step.immediate(write.now)
    } catch (error) {
      this.rollbacks++
      // Refused (rolled back): the caller's error. A failed commit lands here too, as it should.
      return { error }
    }
    return { value }
  }

  /**
   * The group in one transaction. If a write throws, the transaction is rolled back (what the
   * writes before it did, too) and the group runs again in a new one, each write in a savepoint.
   */
  private together(group: Pending[]): Outcome[] {
    let refused = false
    try {
      return this.step.immediate(() =>
        group.map((write) => {
          try {
            return { value: write.now() }
          } catch (error) {
            // Still in the transaction: the write's own failure, not the group's (see each).
            refused = this.writer.inTransaction
            throw error
          }
        }),
      ) as Outcome[]
    } catch (error) {
      this.rollbacks++
      if (!refused) throw error
    }
    try {
      return this.step.immediate(() => this.each(group)) as Outcome[]
    } catch (error) {
      this.rollbacks++
      throw error
    }
  }

  /** Each write in a savepoint of the group's transaction. */
  private each(group: Pending[]): Outcome[] {
    return group.map((write) => {
      try {
        return { value: this.step(write.now) }
      } catch (error) {
        this.rollbacks++
        // SQLite rolls the whole transaction back after some errors (a full disk, for one):
        // then nothing of the group is kept, and the group fails as one.
        if (!this.writer.inTransaction) throw error
        return { error }
      }
    })
  }
}
