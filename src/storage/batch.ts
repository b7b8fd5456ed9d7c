/**
 * Loads keys in batches: the keys asked for while `inFlight` calls of `loadMany` are already
 * out wait, and go together in the next call, made after the turn of the event loop in which it
 * can go (`linger` turns later still when the last call carried several keys), at most `max`
 * keys a call. The same key asked twice before its call goes is loaded once.
 *
 * What this means for freshness: a key is read by a call made after its `load`, never by one
 * already out, so a read by the batch sees every write committed before the request that asked
 * for it arrived.
 *
 * Why a limit on calls out: with one call out at a time, a busy server's keys gather while it is
 * out, so it sends one statement for many requests instead of one every turn (PostgreSQL's row
 * stamps: see KyselyLlmRepository.stampOf). Lingering a turn or two gathers the keys of the
 * requests read in those turns too; it costs a turn of the loop each, so it is only done while
 * the keys come several at a time, not to requests that come one by one.
 */
/** The requests waiting for one key's value. */
type Waiting<V> = { resolve: (value: V) => void; reject: (error: unknown) => void }[]

export class Batch<K, V> {
  private pending = new Map<K, Waiting<V>>()
  private scheduled = false
  private running = 0
  /** Turns waited since the call could have gone. */
  private lingered = 0
  /** Keys the last flush found waiting (see flush: more than one means concurrent requests). */
  private lastCallKeys = 0

  constructor(
    private readonly loadMany: (keys: K[]) => Promise<V[]>,
    private readonly options: { max: number; inFlight: number; linger?: number } = { max: 100, inFlight: Infinity },
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiting = this.pending.get(key)
      if (waiting !== undefined) waiting.push({ resolve, reject })
      else this.pending.set(key, [{ resolve, reject }])
      this.schedule()
    })
  }

  private schedule(): void {
    if (!this.scheduled && this.pending.size > 0 && this.running < this.options.inFlight) {
      this.scheduled = true
      setImmediate(this.flush)
    }
  }

  private readonly flush = (): void => {
    // Only under concurrency (the last call carried several keys): a lone request is not held.
    if (this.lastCallKeys > 1 && this.lingered < (this.options.linger ?? 0)) {
      // One more turn: the requests read in it ask for their keys before the call goes.
      this.lingered++
      setImmediate(this.flush)
      return
    }
    this.lingered = 0
    this.scheduled = false
    const all = [...this.pending]
    let start = 0
    this.lastCallKeys = all.length
    for (; start < all.length && this.running < this.options.inFlight; start += this.options.max) {
      this.send(all.slice(start, start + this.options.max))
    }
    this.pending = start >= all.length ? new Map() : new Map(all.slice(start))
  }

  private send(part: [K, Waiting<V>][]): void {
    this.running++
    this.loadMany(part.map(([key]) => key))
      .then(
        (values) => part.forEach(([, waiting], i) => waiting.forEach((w) => w.resolve(values[i] as V))),
        (error: unknown) => part.forEach(([, waiting]) => waiting.forEach((w) => w.reject(error))),
      )
      .finally(() => {
        this.running--
        this.schedule()
      })
  }
}
