import { expect, test } from '@playwright/test'
import { UPSTREAM, api, at, createOpenAiLlm, expectAccessible, screenshots, signIn, unique } from './helpers.js'

test('Check says per URL whether it answers, with latency; Try it shows the reply and time to first token', async ({ page }, info) => {
  const { llm } = await createOpenAiLlm(unique('Checked'), {
    urls: [{ url: `${UPSTREAM}/v1/chat/completions` }, { url: `${UPSTREAM}/eu/v1/chat/completions`, region: 'eu' }],
  })
  await signIn(page)
  await page.goto(at(`llms/${llm.id}/check`))
  await expect(page.getByText('Not checked yet.')).toBeVisible()
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await expect(page.getByText('✓ It answers.')).toBeVisible()
  const rows = page.locator('.check-results .results li')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(1)).toContainText('eu')
  await expect(rows.first()).toContainText(/\d+ ms/)

  await page.getByLabel('Prompt').fill('Say hello')
  await page.getByRole('button', { name: 'Try it' }).click()
  await expect(page.getByText(/Reply, first token after \d+ ms/)).toBeVisible()
  await expect(page.locator('.reply blockquote')).not.toBeEmpty()
  await expectAccessible(page, 'check page')
  await screenshots(page, 'check', info)

  // The list shows the last check.
  await page.goto(at(`?search=${encodeURIComponent(llm.displayName)}`))
  await expect(page.locator('tbody tr').first()).toContainText('✓ answers')
})

test('a failing check explains its problem in a sentence', async ({ page }, info) => {
  const { llm } = await createOpenAiLlm(unique('Refused'), { secret: 'sk-a-key-the-provider-refuses' })
  await signIn(page)
  await page.goto(at(`llms/${llm.id}/check`))
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await expect(page.getByText('✗ It does not work.')).toBeVisible()
  await expect(page.getByText('✗ unauthorized')).toBeVisible()
  await expect(page.getByText('The provider rejected the stored key: replace the secret.')).toBeVisible()
  await expectAccessible(page, 'failed check')
  await screenshots(page, 'check-failed', info)
})

test('History lists who changed what and when; Versions compares and restores', async ({ page }, info) => {
  const { llm } = await createOpenAiLlm(unique('Revised'))
  await api.llms.update(llm.id, { temperature: 1.5 })
  await api.llms.update(llm.id, { maxTokens: 64 })
  await signIn(page)
  await page.goto(at(`llms/${llm.id}`))
  await page.getByRole('link', { name: 'History' }).click()
  const rows = page.locator('tbody tr')
  await expect(rows).toHaveCount(3)
  await expect(rows.nth(0)).toContainText('changed Max tokens')
  await expect(rows.nth(1)).toContainText('changed Temperature')
  await expect(rows.nth(2)).toContainText('created')
  await expect(rows.nth(0)).toContainText(/just now|minute/)
  await expectAccessible(page, 'history tab')

  await page.getByRole('link', { name: 'Versions' }).click()
  await expect(page.getByRole('rowheader', { name: '3 (current)' })).toBeVisible()
  await page.getByRole('button', { name: 'Compare version 1 with the current one' }).click()
  const diff = page.getByRole('heading', { name: 'Version 1 → current (3)' }).locator('..')
  await expect(diff.getByRole('row', { name: /Temperature/ })).toContainText('0.5')
  await expect(diff.getByRole('row', { name: /Temperature/ })).toContainText('1.5')
  await expectAccessible(page, 'versions tab')
  await screenshots(page, 'versions', info)

  await page.getByRole('button', { name: 'Restore version 1' }).click()
  await expect(page.getByRole('status')).toContainText('version 1')
  const { data } = await api.llms.get(llm.id)
  expect(data).toMatchObject({ temperature: 0.5, maxTokens: null, hasSecret: true })
  await expect(page.getByRole('rowheader', { name: '4 (current)' })).toBeVisible()
})
