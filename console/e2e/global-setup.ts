/**
 * Starts what the browser tests run against: a fake LLM provider on loopback and the built server
 * as a real process on a fresh SQLite database; the first-start key it prints signs the tests in.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeUpstream } from '../../dist/src/testing/fake-upstream.js'
import { startServer } from '../../dist/src/testing/process.js'

/** The key the fake provider accepts; LLMs in the tests store it as their secret. */
export const UPSTREAM_KEY = 'sk-console-test-upstream'

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'llmr-console-'))
  const upstream = await startFakeUpstream(UPSTREAM_KEY)
  const server = await startServer({
    DATABASE_URL: `sqlite:${join(dir, 'registry.db')}`,
    ENCRYPTION_KEY_FILE: join(dir, 'encryption.key'),
    ALLOW_PRIVATE_UPSTREAMS: 'true',
    CHECKS_PER_MINUTE: '0',
  })
  const key = /API key: (\S+)/.exec(server.output())?.[1]
  if (key === undefined) throw new Error(`the server printed no first-start key:\n${server.output()}`)
  process.env.CONSOLE_TEST_BASE_URL = `${server.baseUrl}/console/`
  process.env.CONSOLE_TEST_ORIGIN = server.baseUrl
  process.env.CONSOLE_TEST_KEY = key
  process.env.CONSOLE_TEST_UPSTREAM = upstream.url
  return async () => {
    await server.stop()
    await upstream.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
