/**
 * Fastify gives every request a child logger (bound to its request id) before anything is
 * logged; most requests log nothing through it (their one access line is written by AccessLine). This
 * child is made only when a line is written, so a request that logs nothing costs no pino child.
 */
import type { FastifyBaseLogger } from 'fastify'

type Bindings = Record<string, unknown>
type LogArgs = Parameters<FastifyBaseLogger['info']>

export class LazyChildLogger {
  private made: FastifyBaseLogger | undefined

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: object,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options))
  }

  get level(): string {
    return this.made?.level ?? this.parent.level
  }

  set level(level: string) {
    this.logger.level = level
  }

  fatal(...args: LogArgs): void {
    this.logger.fatal(...args)
  }
  error(...args: LogArgs): void {
    this.logger.error(...args)
  }
  warn(...args: LogArgs): void {
    this.logger.warn(...args)
  }
  info(...args: LogArgs): void {
    this.logger.info(...args)
  }
  debug(...args: LogArgs): void {
    this.logger.debug(...args)
  }
  trace(...args: LogArgs): void {
    this.logger.trace(...args)
  }
  silent(): void {}

  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.logger.child(bindings, options)
  }
}

/** Fastify's `childLoggerFactory`, making the child lazily. */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: object): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger
}
