/**
 * The one access line a request: exactly the JSON line that pino writes for
 * `pino({ level }, destination).info({ reqId, method, url, statusCode, responseTime }, 'request completed')`
 * (its level, time, pid and hostname first, then the fields, then the message), made from a
 * template instead of pino's walk over the object, and written to the same destination as every
 * other line. Every other line still goes through pino, with its redaction; this one holds no
 * header and no body, so it has nothing to redact.
 *
 * Why by hand: pino's walk over the fields cost 2–5 µs of a cached GET's 60–65 µs of CPU here
 * (`npm run bench -- --against <the build with pino's line> --only 'GET /v1/llms/{id}' --rounds 6`:
 * SQLite 1.08 and 1.04, every pair ahead; PostgreSQL 1.02); see docs/decisions.md ("Logs").
 * `access-line.unit.test.ts` holds that the line is pino's, byte for byte, but for one case that
 * cannot arise: a lone surrogate, which pino writes raw (it becomes U+FFFD once encoded) and this
 * escapes; Node makes `request.url` from the request's bytes as Latin-1, so it never holds one.
 */
import { hostname } from 'node:os'
import pino, { type DestinationStream } from 'pino'

/** pino's number for `info`. */
const INFO = 30

/** A number as pino writes one: as JavaScript prints it, or null when it is not finite. */
function numberOf(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null'
}

export class AccessLine {
  /** Whether the level lets `info` lines through (as pino decides it for `level`). */
  private readonly on: boolean
  /** What follows the time, up to the request id's value: the same in every line of this process. */
  private readonly afterTime: string

  constructor(
    private readonly destination: DestinationStream,
    level: string,
  ) {
    this.on = pino({ level }, destination).isLevelEnabled('info')
    this.afterTime = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())},"reqId":`
  }

  write(reqId: string, method: string, url: string, statusCode: number, responseTime: number): void {
    if (!this.on) return
    this.destination.write(
      `{"level":${INFO},"time":${Date.now()}${this.afterTime}${JSON.stringify(reqId)},"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"statusCode":${numberOf(statusCode)},"responseTime":${numberOf(responseTime)},"msg":"request completed"}\n`,
    )
  }
}
