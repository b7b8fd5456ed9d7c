import { expect, test, type Page, type Request } from '@playwright/test'
import { UPSTREAM, UPSTREAM_KEY, api, at, createOpenAiLlm, expectAccessible, screenshots, signIn, unique } from './helpers.js'

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true })

/** What each format needs in the form, and what the stored record must then hold. */
const FORMATS = [
  { format: 'openai', label: 'OpenAI', url: `${UPSTREAM}/v1/chat/completions`, model: 'gpt-4o', secret: true },
  { format: 'azure_openai', label: 'Azure OpenAI', url: UPSTREAM, model: 'gpt-4o', secret: true, azure: true },
  { format: 'groq_openai', label: 'Groq (OpenAI format)', url: `${UPSTREAM}/openai/v1/chat/completions`, model: 'llama-3.3-70b', secret: true },
  { format: 'anthropic', label: 'Anthropic', url: `${UPSTREAM}/anthropic/v1/messages`, model: 'claude-sonnet-4', secret: true },
  { format: 'gemini', label: 'Google Gemini', url: `${UPSTREAM}/v1beta`, model: 'gemini-2.5-flash', secret: true },
  { format: 'custom', label: 'Custom (OpenAI-compatible)', url: `${UPSTREAM}/custom/v1/chat/completions`, model: 'my-model', secret: true },
  { format: 'advanced_voice', label: 'Advanced voice (no upstream)' },
  { format: 'none', label: 'None (no upstream)' },
] as const

test('create an LLM of each format; fields the format does not use are hidden', async ({ page }) => {
  await signIn(page)
  for (const f of FORMATS) {
    const name = unique(`Created ${f.format}`)
    await page.getByRole('link', { name: 'New LLM' }).first().click()
    await expect(page.getByRole('heading', { level: 1, name: 'New LLM' })).toBeVisible()
    await field(page, 'Display name').fill(name)
    await field(page, 'Format').selectOption({ label: f.label })
    const azure = 'azure' in f
    await expect(field(page, 'Deployment')).toHaveCount(azure ? 1 : 0)
    await expect(field(page, 'API version')).toHaveCount(azure ? 1 : 0)
    if ('url' in f) {
      await field(page, 'URL').fill(f.url)
      await field(page, 'Region').fill('eu')
      await field(page, 'Model').fill(f.model)
      await field(page, 'Secret').fill(UPSTREAM_KEY)
    } else {
      await expect(field(page, 'Model')).toHaveCount(0)
      await expect(field(page, 'Secret')).toHaveCount(0)
    }
    if (azure) {
      await field(page, 'Deployment').fill('ok')
      await field(page, 'API version').fill('2024-10-21')
    }
    await field(page, 'Max tokens').fill('256')
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/v1/llms'))
    await page.getByRole('button', { name: 'Save' }).click()
    expect((await created).status()).toBe(201)
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible()

    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')
    const { data } = await api.llms.get(id)
    expect(data).toMatchObject({ displayName: name, llmFormat: f.format, maxTokens: 256, hasSecret: 'secret' in f })
    if ('url' in f) expect(data).toMatchObject({ modelName: f.model, urls: [{ url: f.url, region: 'eu' }] })
    if (azure) expect(data).toMatchObject({ deploymentName: 'ok', apiVersion: '2024-10-21' })
  }
})

test('an edit sends only the changed field, with If-Match; Clear sends null', async ({ page }, info) => {
  const { llm, etag } = await createOpenAiLlm(unique('Edit me'), { description: 'to be cleared', maxTokens: 100 })
  await signIn(page)
  await page.goto(at(`llms/${llm.id}`))
  await expect(field(page, 'Temperature')).toHaveValue('0.5')
  await expectAccessible(page, 'edit page')
  await screenshots(page, 'edit', info)

  await field(page, 'Temperature').fill('0.9')
  const put = page.waitForRequest((r) => r.method() === 'PUT')
  await page.getByRole('button', { name: 'Save' }).click()
  const sent = await put
  expect(sent.postDataJSON()).toEqual({ temperature: 0.9 })
  expect(await sent.headerValue('if-match')).toBe(etag)
  await expect(page.getByRole('status')).toHaveText('Saved Temperature.')

  // The next save carries the new version's ETag, and Clear sends null.
  await page.getByRole('button', { name: 'Clear Description' }).click()
  await expect(field(page, 'Description')).toHaveValue('')
  const clear = page.waitForRequest((r) => r.method() === 'PUT')
  await page.getByRole('button', { name: 'Save' }).click()
  const cleared = await clear
  expect(cleared.postDataJSON()).toEqual({ description: null })
  // Read once the save is answered: a read sent before then may come before the write.
  await expect(page.getByRole('status')).toHaveText('Saved Description.')
  const afterFirst = await api.llms.get(llm.id)
  expect(afterFirst.data).toMatchObject({ temperature: 0.9, description: null, maxTokens: 100, modelName: 'ok', hasSecret: true })
  expect(await cleared.headerValue('if-match')).not.toBe(etag)

  // Nothing changed: nothing is sent.
  let puts = 0
  page.on('request', (r) => void (r.method() === 'PUT' && puts++))
  await page.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByRole('status')).toHaveText('Nothing to save: no field has changed.')
  expect(puts).toBe(0)
})

test('a replaced secret is sent once and never held by a response, the DOM, storage or the URL afterwards', async ({ page }) => {
  const { llm } = await createOpenAiLlm(unique('Secret'), { secret: 'sk-old-key-that-the-provider-refuses' })
  const replacement = `${UPSTREAM_KEY}`
  const seen: { url: string; text: string }[] = []
  const requests: Request[] = []
  page.on('request', (r) => requests.push(r))
  page.on('response', async (r) => seen.push({ url: r.url(), text: await r.text().catch(() => '') }))
  await signIn(page)
  await page.goto(at(`llms/${llm.id}`))
  await expect(page.getByText(/set (just now|\d+ \w+ ago) —/)).toBeVisible()
  // The stored secret is never filled in.
  await expect(field(page, 'Secret')).toHaveCount(0)
  await page.getByRole('button', { name: 'Replace' }).click()
  await expect(field(page, 'Secret')).toHaveValue('')
  await field(page, 'Secret').fill(replacement)
  const put = page.waitForRequest((r) => r.method() === 'PUT')
  await page.getByRole('button', { name: 'Save' }).click()
  expect((await put).postDataJSON()).toEqual({ secret: replacement })
  await expect(page.getByRole('status')).toHaveText('Saved Secret.')
  await expect(page.getByText(/set just now —/)).toBeVisible()

  // It works: the provider accepts the new key (a check from the page).
  await page.getByRole('link', { name: 'Check', exact: true }).click()
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await expect(page.getByText('✓ It answers.')).toBeVisible()

  // ... and it is nowhere: not in any answer, the page, storage or the address bar.
  await page.getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByText(/set just now —/)).toBeVisible()
  expect(seen.filter((r) => r.text.includes(replacement)).map((r) => r.url)).toEqual([])
  expect(await page.content()).not.toContain(replacement)
  const inputs = await page.evaluate(() => [...document.querySelectorAll('input, textarea')].map((e) => (e as HTMLInputElement).value))
  expect(inputs.join('\n')).not.toContain(replacement)
  const storage = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + document.cookie)
  expect(storage).not.toContain(replacement)
  expect(requests.map((r) => r.url()).join('\n')).not.toContain(replacement)
  // Sent exactly once, in the one PUT that replaced it.
  expect(requests.filter((r) => (r.postData() ?? '').includes(replacement))).toHaveLength(1)
})

test('a change made elsewhere between load and save: the conflict dialog, Keep mine stores both changes', async ({ page }, info) => {
  const { llm } = await createOpenAiLlm(unique('Conflict'), { maxTokens: 100 })
  await signIn(page)
  await page.goto(at(`llms/${llm.id}`))
  await field(page, 'Temperature').fill('1.2')
  await field(page, 'Model').fill('gpt-4.1')

  // A colleague changes the same LLM through the API meanwhile.
  await api.llms.update(llm.id, { maxTokens: 500, modelName: 'gpt-4o-mini' })

  await page.getByRole('button', { name: 'Save' }).click()
  const dialog = page.getByRole('alertdialog')
  await expect(dialog).toContainText('changed by someone else')
  await expect(dialog.getByRole('row', { name: /Model/ })).toContainText('gpt-4.1')
  await expect(dialog.getByRole('row', { name: /Model/ })).toContainText('gpt-4o-mini')
  await expect(dialog.getByRole('row', { name: /Temperature/ })).toContainText('1.2')
  await expect(dialog).toContainText('They also changed Max tokens')
  // The user's edits are still in the form behind the dialog.
  await expect(field(page, 'Temperature')).toHaveValue('1.2')
  await expectAccessible(page, 'conflict dialog')
  await screenshots(page, 'conflict', info)

  const put = page.waitForRequest((r) => r.method() === 'PUT')
  await dialog.getByRole('button', { name: 'Keep mine' }).click()
  const sent = await put
  expect(sent.postDataJSON()).toEqual({ temperature: 1.2, modelName: 'gpt-4.1' })
  await expect(dialog).toBeHidden()
  await expect(page.getByRole('status')).toContainText('Saved')
  const { data, etag } = await api.llms.get(llm.id)
  expect(data).toMatchObject({ temperature: 1.2, modelName: 'gpt-4.1', maxTokens: 500 })
  expect(await sent.headerValue('if-match')).toBe(etag.replace(/\d+/, (n) => String(Number(n) - 1)))
})

test('Use theirs drops the edits and shows what is stored', async ({ page }) => {
  const { llm } = await createOpenAiLlm(unique('Theirs'))
  await signIn(page)
  await page.goto(at(`llms/${llm.id}`))
  await field(page, 'Display name').fill('Mine')
  await api.llms.update(llm.id, { displayName: 'Theirs, renamed' })
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('alertdialog').getByRole('button', { name: 'Use theirs' }).click()
  await expect(page.getByRole('alertdialog')).toBeHidden()
  await expect(field(page, 'Display name')).toHaveValue('Theirs, renamed')
  expect((await api.llms.get(llm.id)).data.displayName).toBe('Theirs, renamed')
})

test("a 400's details appear under their field, focus moves there, and an alert lists them", async ({ page }) => {
  const { llm } = await createOpenAiLlm(unique('Invalid'))
  await signIn(page)
  await page.goto(at(`llms/${llm.id}`))
  await field(page, 'URL').fill('ftp://files.example.com/model')
  await field(page, 'Temperature').fill('5')
  const answered = page.waitForResponse((r) => r.request().method() === 'PUT')
  await page.getByRole('button', { name: 'Save' }).click()
  const answer = await answered
  expect(answer.status()).toBe(400)
  const details = ((await answer.json()) as { details: { field: string }[] }).details.map((d) => d.field)
  expect(details.sort()).toEqual(['temperature', 'urls[0].url'])
  const summary = page.getByRole('alert')
  await expect(summary).toContainText('2 fields need attention')
  await expect(summary).toContainText('Temperature')
  await expect(page.locator('#field-temperature-errors')).toContainText('must be <= 2')
  await expect(page.locator('#field-urls-errors')).toContainText('URL 1: must be an absolute http or https URL')
  // Focus is on the input the first problem names.
  const firstId = await summary.locator('li button').first().textContent()
  await expect(firstId === 'Temperature' ? field(page, 'Temperature') : field(page, 'URL')).toBeFocused()
  await expectAccessible(page, 'edit page with errors')
  // Nothing was stored.
  expect((await api.llms.get(llm.id)).data).toMatchObject({ temperature: 0.5, urls: llm.urls })

  // A rule about the record as a whole (what the format needs) lands under its field too.
  await field(page, 'URL').fill(llm.urls[0]?.url ?? '')
  await field(page, 'Temperature').fill('0.5')
  await page.getByRole('button', { name: 'Clear Model' }).click()
  await page.getByRole('button', { name: 'Save' }).click()
  await expect(page.locator('#field-modelName-errors')).toContainText('is required for llmFormat openai')
  await expect(field(page, 'Model')).toBeFocused()
  expect((await api.llms.get(llm.id)).data.modelName).toBe('ok')

  // Metadata is checked as you type, before anything is sent.
  await field(page, 'Metadata').fill('{"voice": ')
  await expect(page.locator('#field-metadata-errors')).toContainText('is not valid JSON')
  await field(page, 'Metadata').fill('{"voice": "alto", "voice": "bass"}')
  await expect(page.locator('#field-metadata-errors')).toContainText('gives "voice" more than once')
  await field(page, 'Metadata').fill('{"speakerId": 12345678901234567890}')
  await expect(page.locator('#field-metadata-errors')).toContainText('"speakerId" is a number too large to keep exactly')
  await field(page, 'Metadata').fill('{"voice": "alto"}')
  await expect(page.locator('#field-metadata-errors')).toHaveCount(0)
})

test('a default opens read-only; Duplicate opens the create form with its settings', async ({ page }) => {
  await signIn(page)
  const defaults = (await api.llms.list({ perPage: 100 })).data.filter((l) => l.isDefault && l.urls.length > 0)
  const source = defaults[0]
  if (source === undefined) throw new Error('no default LLM with a URL is seeded')
  await page.goto(at(`llms/${source.id}`))
  await expect(page.getByText('it is read-only')).toBeVisible()
  await expect(field(page, 'Display name')).toBeDisabled()
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Check' })).toHaveCount(0)
  await expectAccessible(page, 'read-only default')

  await page.getByRole('link', { name: 'Duplicate' }).click()
  await expect(page.getByRole('heading', { level: 1, name: `New LLM from “${source.displayName}”` })).toBeVisible()
  await expect(field(page, 'Display name')).toHaveValue(`${source.displayName} (copy)`)
  await expect(field(page, 'Model')).toHaveValue(source.modelName ?? '')
  await expect(field(page, 'URL').first()).toHaveValue(source.urls[0]?.url ?? '')
  await field(page, 'Secret').fill('sk-for-the-copy')
  await page.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByRole('heading', { level: 1, name: `${source.displayName} (copy)` })).toBeVisible()
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')
  const { data } = await api.llms.get(id)
  expect(data).toMatchObject({ isDefault: false, llmFormat: source.llmFormat, modelName: source.modelName, urls: source.urls, hasSecret: true })
})

test('delete asks for confirmation naming the LLM, then it is gone', async ({ page }) => {
  const { llm } = await createOpenAiLlm(unique('Delete me'))
  await signIn(page)
  await page.goto(at(`llms/${llm.id}`))
  await page.getByRole('button', { name: 'Delete' }).click()
  const dialog = page.getByRole('alertdialog')
  await expect(dialog).toContainText(`Delete “${llm.displayName}”?`)
  await expectAccessible(page, 'delete confirmation')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  expect((await api.llms.get(llm.id)).data.id).toBe(llm.id)

  await page.getByRole('button', { name: 'Delete' }).click()
  await dialog.getByRole('button', { name: `Delete “${llm.displayName}”` }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'LLMs' })).toBeVisible()
  await expect(api.llms.get(llm.id)).rejects.toMatchObject({ statusCode: 404 })
})
