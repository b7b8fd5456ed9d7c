/**
 * The OpenAPI document tells generators the whole truth: Spectral's `spectral:oas` rules find
 * nothing (no error, no warning, no hint) and swagger-parser validates it. Run once: the
 * document does not depend on the backend.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import SwaggerParser from '@apidevtools/swagger-parser'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startHarness, stopHarness, type Harness } from '../testing/harness.js'

const ROOT = join(import.meta.dirname, '..', '..')

let h: Harness
let file: string
let doc: any
beforeAll(async () => {
  h = await startHarness()
  doc = (await h.get('/openapi.json')).body
  file = join(ROOT, 'dist', 'openapi.test.json')
  writeFileSync(file, JSON.stringify(doc, null, 2))
})
afterAll(() => stopHarness(h))

const OPERATIONS = ['get', 'put', 'post', 'delete', 'patch']
const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => OPERATIONS.includes(method))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, path, method, op })),
  )

describe('/openapi.json', () => {
  test('Spectral (spectral:oas) reports no error, warning, information or hint', async () => {
    const spectral = join(ROOT, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js')
    const run = await promisify(execFile)(
      process.execPath,
      [spectral, 'lint', file, '--ruleset', join(ROOT, '.spectral.yaml'), '--format', 'json', '--fail-severity', 'hint', '--quiet'],
      { cwd: ROOT },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout }))
    expect(JSON.parse(run.stdout || '[]')).toEqual([])
  })

  test('swagger-parser validates it as OpenAPI 3.1', async () => {
    const api = await SwaggerParser.validate(structuredClone(doc))
    expect(api.info.title).toBe('llm-registry')
    expect(doc.openapi).toBe('3.1.0')
  })

  test('every operation has an operationId and a description; the document has servers, contact, license, bearer security', () => {
    for (const { name, op } of operations()) {
      expect({ name, operationId: typeof op.operationId, description: typeof op.description }).toEqual({
        name,
        operationId: 'string',
        description: 'string',
      })
    }
    expect(doc.servers.length).toBeGreaterThan(0)
    expect(doc.info.contact).toBeDefined()
    expect(doc.info.license.name).toBe('MIT')
    expect(doc.components.securitySchemes.BearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  test('every /v1 operation declares 401, 429, 500 and 503, and X-Request-Id on every response', () => {
    for (const { name, path, op } of operations()) {
      const statuses = Object.keys(op.responses)
      if (path.startsWith('/v1')) expect({ name, statuses }).toEqual({ name, statuses: expect.arrayContaining(['401', '429', '500', '503']) })
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        expect({ name, status, requestId: response.headers?.['X-Request-Id'] !== undefined }).toEqual({ name, status, requestId: true })
      }
    }
  })

  test('ETag, Location, RateLimit-* and Retry-After are declared where they are sent; If-Match and If-None-Match are parameters', () => {
    const llm = doc.paths['/v1/llms/{id}']
    const create = doc.paths['/v1/llms'].post
    expect(Object.keys(create.responses['201'].headers)).toEqual(expect.arrayContaining(['ETag', 'Location', 'RateLimit-Limit']))
    expect(Object.keys(llm.get.responses['200'].headers)).toEqual(expect.arrayContaining(['ETag', 'RateLimit-Remaining', 'RateLimit-Reset']))
    expect(llm.get.responses['304']).toBeDefined()
    expect(Object.keys(llm.put.responses['429'].headers)).toEqual(expect.arrayContaining(['Retry-After', 'RateLimit-Limit']))
    expect(Object.keys(llm.put.responses['503'].headers)).toContain('Retry-After')
    const header = (op: any, name: string) => op.parameters.find((p: any) => p.in === 'header' && p.name === name)
    expect(header(llm.put, 'if-match')).toBeDefined()
    expect(header(llm.delete, 'if-match')).toBeDefined()
    expect(header(llm.get, 'if-none-match')).toBeDefined()
  })

  test('/docs is titled after the service', async () => {
    const page = await h.get('/docs/')
    expect(page.text).toContain('<title>llm-registry API reference</title>')
  })
})
