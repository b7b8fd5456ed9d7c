/** What every browser test shares: the server it runs against, signing in, the API beside the page, axe, screenshots. */
import { AxeBuilder } from '@axe-core/playwright'
import { expect, type Page, type TestInfo } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from '../../dist/src/client/index.js'

export const ORIGIN = required('CONSOLE_TEST_ORIGIN')
export const KEY = required('CONSOLE_TEST_KEY')
export const UPSTREAM = required('CONSOLE_TEST_UPSTREAM')
export const UPSTREAM_KEY = 'sk-console-test-upstream'

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set: run the browser tests through playwright test (global-setup starts the server)`)
  return value
}

/** The same API the page talks to, for arranging data and for checking what was stored. */
export const api = createClient({ baseUrl: ORIGIN, apiKey: KEY })

/** Where the console lives, e.g. `at('llms/new')`. */
export const at = (path = '') => `${ORIGIN}/console/${path}`

let counter = 0
/** A name no other test uses. */
export const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}${(counter++).toString(36)}`

/** An OpenAI-format LLM at the fake provider; `model` picks the fake's behaviour (`ok`, `bad-key`, …). */
export async function createOpenAiLlm(displayName: string, extra: Record<string, unknown> = {}) {
  const { data, etag } = await api.llms.create({
    displayName,
    llmFormat: 'openai',
    modelName: 'ok',
    urls: [{ url: `${UPSTREAM}/v1/chat/completions` }],
    secret: UPSTREAM_KEY,
    temperature: 0.5,
    ...extra,
  } as never)
  return { llm: data, etag }
}

export async function signIn(page: Page, key = KEY) {
  await page.goto(at())
  await page.getByLabel('API key', { exact: true }).fill(key)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'LLMs' })).toBeVisible()
}

/** axe-core on the page as it is: no serious or critical violation (WCAG 2.1 A and AA rules). */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`), what).toEqual([])
}

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/console/screenshots/', import.meta.url))

/** A full-page screenshot at 1280 px and at 375 px wide, light and dark, into test-results/console/screenshots/. */
export async function screenshots(page: Page, name: string, info: TestInfo) {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const original = page.viewportSize() ?? { width: 1280, height: 720 }
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      const path = join(SCREENSHOTS, `${name}-${width}-${scheme}.png`)
      await page.screenshot({ path, fullPage: true })
      await info.attach(`${name}-${width}-${scheme}`, { path, contentType: 'image/png' })
    }
    if (width === 375) await expectNoSidewaysScroll(page, name)
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize(original)
}

/** At 375 px the page itself never scrolls sideways (wide tables scroll inside their own box). */
async function expectNoSidewaysScroll(page: Page, name: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  expect(overflow, `${name} at 375 px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0)
}
