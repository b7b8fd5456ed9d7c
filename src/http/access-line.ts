/**
 * The one access line a request: exactly the JSON line that a pino logger writes for
 * `logger.info({ reqId, method, url, statusCode, responseTime }, 'request completed')`
 * (its level, time, pid and hostname first, then the fields, then the message), made from a
 * template instead of pino's walk over the object, and written to the same destination as every
 * other line. Every other line still goes through pino, with its redaction; this one holds no
 * header and no body, so it has nothing to redact.
 *
 * Why by hand: pino's walk over the fields cost 2–5 µs of a cached GET's 60–65 µs of CPU here
 * (`npm run bench -- --against <the build with pino's line> --only 'GET /v1/llms/{id}' --rounds 6`:
 * SQLite 1.08 and 1.04, every pair ahead; PostgreSQL 1.02); see docs/decisions.md ("The hot path").
 * `access-line.unit.test.ts` holds that the line is pino's, byte for byte, but for one case that
 * cannot arise: a lone surrogate, which pino writes raw (it becomes U+FFFD once encoded) and this
 * escapes; Node makes `request.url` from the request's bytes as Latin-1, so it never holds one.
 */
import pino, { type DestinationStream, type Logger } from 'pino'

const INFO = pino.levels.values.info as number

/** A number as pino writes one: as JavaScript prints it, or null when it is not finite. */
function numberOf(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null'
}

/**
 * The parts of a line that pino keeps on `logger` already serialized for its own lines, read by
 * its own symbols: the level (`{"level":30`, or as `formatters.level` writes it), the time
 * (`,"time":…`, as the `timestamp` option makes it, for each line), the base fields (`,"pid":…,
 * "hostname":…` or whatever `base` holds), the message key, the line's end, and the destination
 * its lines go to.
 */
function serializedParts(logger: Logger) {
  const own = logger as unknown as Record<symbol, unknown>
  const level = (own[pino.symbols.lsCacheSym] as Record<number, unknown> | undefined)?.[INFO]
  const time = own[pino.symbols.timeSym]
  const base = own[pino.symbols.chindingsSym]
  const message = own[pino.symbols.messageKeySym]
  const end = own[pino.symbols.endSym]
  const destination = own[pino.symbols.streamSym] as DestinationStream | undefined
  if (typeof level !== 'string' || typeof time !== 'function' || typeof base !== 'string' || typeof message !== 'string' || typeof end !== 'string' || typeof destination?.write !== 'function') {
    throw new Error('AccessLine: this pino keeps no serialized level, time, base fields, message key, line end or destination')
  }
  return { level, time: time as () => string, base, message, end, destination }
}

/**
 * Lines as a logger writes them at `info`. What pino adds through a `mixin`, `formatters.log` or a
 * `streamWrite` hook is not followed; the service's logger has none of them.
 */
export class AccessLine {
  /** Whether `logger`'s level lets `info` lines through (the main logger's level is set once, at start). */
  private readonly on: boolean
  /** Where `logger` writes its lines. */
  private readonly destination: DestinationStream
  private readonly level: string
  private readonly time: () => string
  /** What follows the time, up to the request id's value: the base fields, then the key `reqId`. */
  private readonly afterTime: string
  /** The message, and the line's end. */
  private readonly tail: string

  /** Lines as `logger` would write them at `info`, among its own lines (to its destination). */
  constructor(logger: Logger) {
    this.on = logger.isLevelEnabled('info')
    const { level, time, base, message, end, destination } = serializedParts(logger)
    this.destination = destination
    this.level = level
    this.time = time
    this.afterTime = `${base},"reqId":`
    this.tail = `,${JSON.stringify(message)}:"request completed"${end}`
  }

  write(reqId: string, method: string, url: string, statusCode: number, responseTime: number): void {
    if (!this.on) return
    this.destination.write(
      `${this.level}${this.time()}${this.afterTime}${JSON.stringify(reqId)},"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"statusCode":${numberOf(statusCode)},"responseTime":${numberOf(responseTime)}${this.tail}`,
    )
  }
}
