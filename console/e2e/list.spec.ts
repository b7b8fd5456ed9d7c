import { expect, test } from '@playwright/test'
import { KEY, ORIGIN, api, at, createOpenAiLlm, expectAccessible, screenshots, signIn, unique } from './helpers.js'

test('a wrong key is refused on the sign-in page; the right one signs in; Sign out forgets it', async ({ page }, info) => {
  await page.goto(`${ORIGIN}/`)
  await expect(page).toHaveURL(at())
  await expect(page.getByLabel('API key', { exact: true })).toBeVisible()
  await expectAccessible(page, 'sign-in page')
  await screenshots(page, 'sign-in', info)

  await page.getByLabel('API key', { exact: true }).fill('llmr_0000000000000000_not-a-real-key')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toContainText('That API key was not accepted')
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0)

  await page.getByLabel('API key', { exact: true }).fill(KEY)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'LLMs' })).toBeVisible()
  // Kept for this tab only: sessionStorage, never localStorage, a cookie or the URL.
  const stored = await page.evaluate(() => ({ session: Object.values(sessionStorage), local: localStorage.length, cookie: document.cookie }))
  expect(stored).toEqual({ session: [KEY], local: 0, cookie: '' })
  expect(page.url()).not.toContain(KEY)

  // A reload in the same tab stays signed in; a new tab (new session storage) does not.
  await page.reload()
  await expect(page.getByRole('heading', { level: 1, name: 'LLMs' })).toBeVisible()

  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByLabel('API key', { exact: true })).toBeVisible()
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
})

test('a deep link loads the app and, after sign-in, the page it names', async ({ page }) => {
  const { llm } = await createOpenAiLlm(unique('Deep link'))
  await page.goto(at(`llms/${llm.id}/history`))
  await page.getByLabel('API key', { exact: true }).fill(KEY)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: llm.displayName })).toBeVisible()
  await expect(page.getByRole('heading', { level: 2, name: 'History' })).toBeVisible()
})

test('the list: defaults marked, server-side search, paging with meta, the state kept in the URL', async ({ page }, info) => {
  const tag = unique('Paging')
  for (let i = 1; i <= 23; i++) await createOpenAiLlm(`${tag} ${String(i).padStart(2, '0')}`)
  await signIn(page)

  // Defaults are shown by default and marked.
  await expect(page.getByRole('switch', { name: 'Show defaults' })).toBeChecked()
  const aDefault = (await api.llms.listAll()).find((l) => l.isDefault)
  if (aDefault === undefined) throw new Error('no default LLM is seeded')
  await page.getByLabel('Search').fill(aDefault.displayName)
  await expect(page.locator('tbody tr', { hasText: aDefault.displayName }).locator('.badge', { hasText: 'Default' }).first()).toBeVisible()

  // Search is debounced and server-side; the URL follows.
  const searched = page.waitForResponse((r) => r.url().includes('/v1/llms?') && r.url().includes('search='))
  await page.getByLabel('Search').fill(tag)
  await searched
  await expect(page).toHaveURL(new RegExp(`search=${encodeURIComponent(tag).replace(/%20/g, '\\+')}`))
  await expect(page.getByText('Page 1 of 2 · 23 LLMs')).toBeVisible()
  await expect(page.locator('tbody tr')).toHaveCount(20)

  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page).toHaveURL(/page=2/)
  await expect(page.getByText('Page 2 of 2 · 23 LLMs')).toBeVisible()
  await expect(page.locator('tbody tr')).toHaveCount(3)

  // The URL alone restores the page (reload, or a link sent to a colleague).
  await page.reload()
  await expect(page.getByLabel('Search')).toHaveValue(tag)
  await expect(page.getByText('Page 2 of 2 · 23 LLMs')).toBeVisible()
  await page.goBack()
  await expect(page.getByText('Page 1 of 2 · 23 LLMs')).toBeVisible()

  // Defaults off: the switch goes into the URL too.
  await page.getByLabel('Search').fill('')
  await expect(page).not.toHaveURL(/search=/)
  await page.getByRole('switch', { name: 'Show defaults' }).uncheck()
  await expect(page).toHaveURL(/defaults=off/)
  const withoutDefaults = page.waitForResponse((r) => r.url().includes('includeDefaults=false') && r.url().includes('search='))
  await page.getByLabel('Search').fill(aDefault.displayName)
  await withoutDefaults
  await expect(page.locator('tbody .badge')).toHaveCount(0)
  await page.getByLabel('Search').fill('')
  const own = await api.llms.list({ includeDefaults: false })
  await expect(page.getByText(`· ${own.meta.total} LLMs`)).toBeVisible()

  await page.getByLabel('Search').fill(tag)
  await expect(page.getByText('Page 1 of 2 · 23 LLMs')).toBeVisible()
  await expectAccessible(page, 'list page')
  await screenshots(page, 'list', info)
})

test('a search that matches nothing says so', async ({ page }) => {
  await signIn(page)
  await page.getByLabel('Search').fill('no such llm anywhere 50%_')
  await expect(page.getByText('Nothing matches “no such llm anywhere 50%_”.')).toBeVisible()
})

test('keyboard alone: sign in, search, open an LLM', async ({ page }) => {
  const { llm } = await createOpenAiLlm(unique('Keyboard'))
  await page.goto(at())
  await page.keyboard.press('Tab')
  await expect(page.getByLabel('API key', { exact: true })).toBeFocused()
  await page.keyboard.type(KEY)
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { level: 1, name: 'LLMs' })).toBeVisible()
  await page.getByLabel('Search').focus()
  await page.keyboard.type(llm.displayName)
  await expect(page.locator('tbody tr')).toHaveCount(1)
  const link = page.getByRole('link', { name: llm.displayName })
  for (let i = 0; i < 10 && !(await link.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab')
  await expect(link).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { level: 1, name: llm.displayName })).toBeVisible()
})
