/**
 * Loads keys in batches: every `load` made during one turn of the event loop is answered by one
 * call of `loadMany`, made after that turn (at most `max` keys a call). The same key asked twice
 * in a turn is loaded once.
 *
 * What this means for freshness: a key is read after `load` was called, never before, so a read
 * by the batch sees every write committed before the request that asked for it arrived.
 */
export class Batch<K, V> {
  private pending = new Map<K, { resolve: (value: V) => void; reject: (error: unknown) => void }[]>()
  private scheduled = false

  constructor(
    private readonly loadMany: (keys: K[]) => Promise<V[]>,
    private readonly max = 100,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiting = this.pending.get(key)
      if (waiting !== undefined) waiting.push({ resolve, reject })
      else this.pending.set(key, [{ resolve, reject }])
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(this.flush)
      }
    })
  }

  private readonly flush = (): void => {
    this.scheduled = false
    const all = [...this.pending]
    this.pending = new Map()
    for (let start = 0; start < all.length; start += this.max) {
      const part = all.slice(start, start + this.max)
      this.loadMany(part.map(([key]) => key)).then(
        (values) => part.forEach(([, waiting], i) => waiting.forEach((w) => w.resolve(values[i] as V))),
        (error: unknown) => part.forEach(([, waiting]) => waiting.forEach((w) => w.reject(error))),
      )
    }
  }
}
