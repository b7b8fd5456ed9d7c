/**
 * Runs writes together: the writes asked for while `inFlight` calls of `runMany` are already
 * running wait, and go to the next call together (at most `max` a call), so a busy server sends
 * one statement and commits once for many writes instead of once for each.
 *
 * Two writes with the same key never go in one call: the second waits for the next one (one
 * statement cannot change a row twice). Whether a write may be sent while another of its key is
 * out is the caller's to decide before it asks: KyselyLlmRepository lets its writes of one LLM
 * take turns, so none is decided against a row another is changing. Only writes of one group go
 * in one call (the oldest waiting write's), so that the calls take few distinct forms.
 *
 * `runMany` must be all or nothing (one statement, one transaction): when it fails for a call of
 * several writes, each is run again alone, so a write's failure is its own and fails only it.
 */
export class WriteBatch<T, R> {
  private pending: { item: T; key: string; group: string; resolve: (value: R) => void; reject: (error: unknown) => void }[] = []
  private running = 0
  private scheduled = false
  /** Calls of `runMany` made (retries alone included), the writes they carried, and the ms they were out in all (see /metrics). */
  readonly stats = { calls: 0, writes: 0, outMs: 0 }

  constructor(
    private readonly runMany: (items: T[]) => Promise<R[]>,
    private readonly keyOf: (item: T) => string,
    private readonly groupOf: (item: T) => string,
    private readonly inFlight: number,
    private readonly max: number,
  ) {}

  run(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, key: this.keyOf(item), group: this.groupOf(item), resolve, reject })
      if (!this.scheduled && this.running < this.inFlight) {
        this.scheduled = true
        setImmediate(this.flush)
      }
    })
  }

  private readonly flush = (): void => {
    this.scheduled = false
    while (this.running < this.inFlight && this.pending.length > 0) void this.send(this.take())
  }

  /** The next call's writes: the oldest waiting and those of its group, one per key, at most `max`. */
  private take(): WriteBatch<T, R>['pending'] {
    const keys = new Set<string>()
    const taken: WriteBatch<T, R>['pending'] = []
    const left: WriteBatch<T, R>['pending'] = []
    const group = this.pending[0]?.group
    for (const waiting of this.pending) {
      if (taken.length < this.max && !keys.has(waiting.key) && waiting.group === group) {
        keys.add(waiting.key)
        taken.push(waiting)
      } else left.push(waiting)
    }
    this.pending = left
    return taken
  }

  private async send(batch: WriteBatch<T, R>['pending']): Promise<void> {
    this.running++
    try {
      const results = await this.call(batch.map((w) => w.item))
      batch.forEach((w, i) => w.resolve(results[i] as R))
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error)
      // Nothing of the call was written (all or nothing): each write runs again alone, so only
      // the one that fails alone fails.
      else await Promise.all(batch.map((w) => this.call([w.item]).then(([result]) => w.resolve(result as R), w.reject)))
    } finally {
      this.running--
      this.flush()
    }
  }

  /** `runMany`, counted in `stats`. */
  private async call(items: T[]): Promise<R[]> {
    const started = performance.now()
    this.stats.calls++
    this.stats.writes += items.length
    try {
      return await this.runMany(items)
    } finally {
      this.stats.outMs += performance.now() - started
    }
  }
}
