/** The edit form's rules: what each field sends, and that an update holds only what the user changed. */
import { describe, expect, test } from 'vitest'
import { changedFields, createBody, emptyValues, inputIdOf, isShown, metadataOf, topFieldOf, updateBody, valuesOf } from './form.js'

const stored = {
  id: 'a',
  displayName: 'GPT',
  description: 'main',
  llmFormat: 'openai',
  urls: [{ url: 'https://api.example.com/v1/chat/completions' }, { url: 'https://eu.example.com/v1/chat/completions', region: 'eu' }],
  modelName: 'gpt-4o',
  temperature: 0.5,
  maxTokens: null,
  deploymentName: null,
  apiVersion: null,
  metadata: { b: 1, a: [1, 2] },
  displayTags: [],
  isDefault: false,
  isGlobal: false,
  isZdr: false,
  reasoningEffort: 'default',
  reasoningFormat: 'parsed',
  createdByOrganizationId: 'org',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: null,
  hasSecret: true,
  secretUpdatedAt: '2026-11-01T00:00:00.000Z',
} as const

describe('update bodies', () => {
  test('a loaded record, untouched, changes nothing and sends nothing', () => {
    const values = valuesOf(stored as never)
    expect(changedFields(values, { ...values })).toEqual([])
    expect(updateBody(values, { ...values }, null)).toEqual({ ok: true, body: {} })
  })

  test('only the changed fields, converted to what the API takes', () => {
    const base = valuesOf(stored as never)
    const edited = { ...base, temperature: '0.75', maxTokens: '512', urls: [...base.urls, { url: 'https://us.example.com', region: 'us' }] }
    expect(updateBody(base, edited, null)).toEqual({
      ok: true,
      body: {
        temperature: 0.75,
        maxTokens: 512,
        urls: [...stored.urls, { url: 'https://us.example.com', region: 'us' }],
      },
    })
  })

  test('Clear sends null; a replaced secret is sent, an empty one is not', () => {
    const base = valuesOf(stored as never)
    expect(updateBody(base, { ...base, description: null, temperature: null }, 'sk-new')).toEqual({
      ok: true,
      body: { description: null, temperature: null, secret: 'sk-new' },
    })
    expect(updateBody(base, base, '')).toEqual({ ok: true, body: {} })
  })

  test('an input that cannot be sent is named, and nothing is sent', () => {
    const base = valuesOf(stored as never)
    expect(updateBody(base, { ...base, temperature: 'warm', maxTokens: '1.5', metadata: '{' }, null)).toMatchObject({
      ok: false,
      errors: [
        { field: 'temperature', message: 'must be a number' },
        { field: 'maxTokens', message: 'must be a whole number' },
        { field: 'metadata', message: expect.stringContaining('is not valid JSON') },
      ],
    })
  })

  test('numbers are read as decimal: 0x10, 0b1, Infinity and 1_000 are not numbers; .25, 1e3 and spaces around are', () => {
    const base = valuesOf(stored as never)
    for (const typed of ['0x10', '0b1', '0o7', 'Infinity', '1_000', '1,5', '-']) {
      expect(updateBody(base, { ...base, temperature: typed, maxTokens: typed }, null)).toMatchObject({
        ok: false,
        errors: [
          { field: 'temperature', message: 'must be a number' },
          { field: 'maxTokens', message: 'must be a number' },
        ],
      })
    }
    expect(updateBody(base, { ...base, temperature: ' .25 ', maxTokens: '1e3' }, null)).toEqual({ ok: true, body: { temperature: 0.25, maxTokens: 1000 } })
  })

  test('metadata re-indented but equal is not a change', () => {
    const base = valuesOf(stored as never)
    expect(changedFields(base, { ...base, metadata: '{"b":1,"a":[1,2]}' })).toEqual([])
    expect(changedFields(base, { ...base, metadata: '{"a":[1,2],"b":1}' })).toEqual(['metadata'])
  })
})

describe('create bodies and the form', () => {
  test('a create body holds only what the format uses and what is filled in', () => {
    const values = { ...emptyValues(), displayName: 'Voice', llmFormat: 'none' as const, deploymentName: 'x', modelName: 'm', maxTokens: '10' }
    expect(createBody(values, 'sk')).toEqual({
      ok: true,
      body: { displayName: 'Voice', llmFormat: 'none', maxTokens: 10, metadata: {}, reasoningEffort: 'default', reasoningFormat: 'parsed' },
    })
  })

  test('Deployment and API version are shown only for Azure; URLs, model and secret only for upstream formats', () => {
    expect(['openai', 'azure_openai', 'none'].map((f) => isShown('deploymentName', f as never))).toEqual([false, true, false])
    expect(['openai', 'advanced_voice', 'none'].map((f) => isShown('secret', f as never))).toEqual([true, false, false])
  })

  test('server detail names map to inputs', () => {
    expect(inputIdOf('urls[0].url')).toBe('field-urls-0-url')
    expect(topFieldOf('urls[1].region')).toBe('urls')
    expect(metadataOf('[1]')).toEqual({ ok: false, message: 'must be a JSON object, like {"key": "value"}' })
  })

  test('metadata that is not JSON says what and where, as the server would', () => {
    expect(metadataOf('{\n  "voice": "alto",\n}')).toEqual({ ok: false, message: 'is not valid JSON: expected double-quoted property name (line 3, column 1)' })
    expect(metadataOf('{"key": sk-pasted}')).toEqual({ ok: false, message: 'is not valid JSON: a value that is not JSON (text in double quotes, numbers as 0.5 not .5, no NaN or comments)' })
  })

  test('metadata giving a key twice is refused before it is sent, naming the key', () => {
    expect(metadataOf('{"voice": "alto", "team": {"a": 1, "a": 2}, "voice": "bass"}')).toEqual({ ok: false, message: 'gives "team.a", "voice" more than once' })
    expect(metadataOf('{"voice": "alto", "team": {"voice": 1}}')).toEqual({ ok: true, value: { voice: 'alto', team: { voice: 1 } } })
  })

  test('metadata with a number JSON.parse would change is refused before it is sent, naming it', () => {
    expect(metadataOf('{"id": 9007199254740993, "a": {"b": [1e400]}}')).toEqual({
      ok: false,
      message: '"id", "a.b[0]" is a number too large to keep exactly (beyond ±9007199254740991); send it as a string',
    })
    expect(metadataOf('{"id": 9007199254740991, "x": 1.5e-300}')).toEqual({ ok: true, value: { id: 9007199254740991, x: 1.5e-300 } })
  })
})
