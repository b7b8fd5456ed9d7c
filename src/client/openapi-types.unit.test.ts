/** The committed client types are what the running app's /openapi.json generates: a route change without regenerated types cannot land. */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { clientTypesOf } from '../openapi.js'
import { startHarness, stopHarness, type Harness } from '../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

test('src/client/openapi-types.ts equals the types generated from /openapi.json (run `npm run generate:client` when it does not)', async () => {
  const document = (await h.get('/openapi.json')).body
  const committed = readFileSync(new URL('./openapi-types.ts', import.meta.url), 'utf8')
  expect(await clientTypesOf(document)).toBe(committed)
})
