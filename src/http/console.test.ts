/** The web console as the service serves it: where, with which headers, and deep links. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CONSOLE_DIR } from '../testing/process.js'
import { startHarness, stopHarness, type Harness } from '../testing/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => stopHarness(h))

const script = readdirSync(join(CONSOLE_DIR, 'assets')).find((name) => name.endsWith('.js'))

describe('the console', () => {
  test('/ redirects to /console/', async () => {
    const response = await fetch(`${h.baseUrl}/`, { redirect: 'manual' })
    expect([response.status, response.headers.get('location')]).toEqual([302, '/console/'])
  })

  test('/console/ is the built page, with a strict CSP and the security headers', async () => {
    const reply = await h.get('/console/')
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/)
    expect(reply.text).toBe(readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8'))
    const csp = reply.headers.get('content-security-policy') ?? ''
    const directives = Object.fromEntries(csp.split(';').map((d) => { const [name = '', ...values] = d.trim().split(/\s+/); return [name, values.join(' ')] }))
    expect(directives).toMatchObject({ 'default-src': "'self'", 'script-src': "'self'", 'frame-ancestors': "'none'", 'object-src': "'none'" })
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/)
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff')
    expect(reply.headers.get('referrer-policy')).toBe('no-referrer')
    expect(reply.headers.get('x-frame-options')).toBe('DENY')
    expect(reply.headers.get('cache-control')).toBe('no-cache')
  })

  test('the page loads only scripts from this origin: no inline script, nothing from a CDN', async () => {
    const html = (await h.get('/console/')).text
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attributes = '', body = ''] of scripts) {
      expect(attributes).toMatch(/src="\/console\/assets\/[^"]+\.js"/)
      expect(body.trim()).toBe('')
    }
    expect(html).not.toMatch(/https?:\/\//)
  })

  test.each(['/console/llms/some-id', '/console/llms/some-id/check', '/console/llms/new?from=x', '/console/?search=a&page=2'])(
    'the deep link %s loads the app',
    async (path) => {
      const reply = await h.get(path)
      expect([reply.status, reply.text]).toEqual([200, readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8')])
      expect(reply.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    },
  )

  test('hashed assets are cached for good; a missing asset is a 404, not the page', async () => {
    const asset = await h.get(`/console/assets/${script}`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(/javascript/)
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const missing = await h.get('/console/assets/index-missing.js')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'not_found' })
  })

  test('the API does not carry the console headers (they are scoped to the console)', async () => {
    const t = await h.tenant()
    const reply = await h.get('/v1/llms', t.key)
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-security-policy')).toBeNull()
  })

  test('the console is not in the OpenAPI document', async () => {
    const paths = Object.keys((await h.get('/openapi.json')).body.paths)
    expect(paths.filter((p) => p === '/' || p.startsWith('/console'))).toEqual([])
  })
})
