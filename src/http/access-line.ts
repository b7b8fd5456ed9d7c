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

export class AccessLine {
  /** Whether `logger`'s level lets `info` lines through. */
  private readonly on: boolean
  /**
   * What follows the time, up to the request id's value: `logger`'s base fields (`pid` and
   * `hostname` unless configured otherwise) as pino has already serialized them for its own
   * lines (`pino.symbols.chindingsSym`), the same in every line of this process.
   */
  private readonly afterTime: string

  /** Lines as `logger` would write them at `info`, to its destination `destination`. */
  constructor(
    private readonly destination: DestinationStream,
    logger: Logger,
  ) {
    this.on = logger.isLevelEnabled('info')
    const base = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym]
    if (typeof base !== 'string') throw new Error('AccessLine: this pino keeps no serialized base fields')
    this.afterTime = `${base},"reqId":`
  }

  write(reqId: string, method: string, url: string, statusCode: number, responseTime: number): void {
    if (!this.on) return
    this.destination.write(
      `{"level":${INFO},"time":${Date.now()}${this.afterTime}${JSON.stringify(reqId)},"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"statusCode":${numberOf(statusCode)},"responseTime":${numberOf(responseTime)},"msg":"request completed"}\n`,
    )
  }
}
