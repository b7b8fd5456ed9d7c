/**
 * Gathers log lines into chunks of 4 KiB for pino's destination (sonic-boom), which then writes a
 * chunk where it would otherwise write every line: each line is encoded once into the chunk,
 * where sonic-boom's own buffer (`minLength`) grows one string by each line and measures it in
 * bytes again at every line. Measured against that buffer in docs/decisions.md ("Logs").
 */
import pino, { type DestinationStream } from 'pino'

/** What the lines go to: sonic-boom in `contentMode: 'buffer'` (it may keep a chunk once given it). */
export interface ChunkDestination {
  write(chunk: Buffer): boolean
  flushSync(): void
}

/** A chunk is written once it holds `SEND_AT_BYTES`, and every `FLUSH_MS` whatever it holds. */
const SEND_AT_BYTES = 4 * 1024
const FLUSH_MS = 250
/** Room for the line that takes a chunk past SEND_AT_BYTES; a longer line is written alone. */
const CHUNK_BYTES = 16 * 1024

export class LogBatcher implements DestinationStream {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private used = 0
  constructor(private readonly out: ChunkDestination) {
    setInterval(() => this.send(), FLUSH_MS).unref()
  }

  /** Lines to a file descriptor (1: standard output), a chunk a synchronous write. */
  static toFd(fd: number): LogBatcher {
    // sonic-boom's types know only its string mode; in buffer mode it takes Buffers.
    return new LogBatcher(pino.destination({ dest: fd, sync: true, contentMode: 'buffer' }) as unknown as ChunkDestination)
  }

  write(line: string): boolean {
    // A UTF-16 unit is at most 3 bytes of UTF-8: a line that may not fit is sent after the chunk.
    const most = line.length * 3
    if (this.used + most > CHUNK_BYTES) {
      this.send()
      if (most > CHUNK_BYTES) return this.out.write(Buffer.from(line))
    }
    this.used += this.chunk.write(line, this.used)
    if (this.used >= SEND_AT_BYTES) this.send()
    return true
  }

  /** Writes what is gathered (the destination writes synchronously). */
  flush(): void {
    this.send()
  }

  /** Writes everything out before returning (at exit), whatever the destination. */
  flushSync(): void {
    this.send()
    this.out.flushSync()
  }

  private send(): void {
    if (this.used === 0) return
    // A destination may keep the chunk until it is written: the next lines go to a new one.
    this.out.write(this.chunk.subarray(0, this.used))
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    this.used = 0
  }
}
