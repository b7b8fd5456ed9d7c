/** How ajv's errors become the contract's `details`: one problem a field, said in words. */
import { Ajv } from 'ajv'
import { describe, expect, test } from 'vitest'
import { fieldProblems } from './validation.js'

function problemsOf(schema: object, data: unknown) {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true })
  const validate = ajv.compile(schema)
  expect(validate(data)).toBe(false)
  return fieldProblems(validate.errors ?? [], 'body')
}

describe('validation messages', () => {
  test('the not-blank pattern says "must not be blank"', () => {
    const schema = { type: 'object', properties: { displayName: { type: 'string', pattern: '\\S' } } }
    expect(problemsOf(schema, { displayName: '   ' })).toEqual([{ field: 'displayName', message: 'must not be blank' }])
  })

  test('any other pattern says which pattern, not "must not be blank"', () => {
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^[a-z]+$' } } }
    expect(problemsOf(schema, { code: 'A1' })).toEqual([{ field: 'code', message: 'must match the pattern ^[a-z]+$' }])
  })

  test('nested paths, unknown and missing fields, types and enums are named', () => {
    const schema = {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        urls: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' } } } },
        kind: { type: 'string', enum: ['a', 'b'] },
        n: { type: ['number', 'null'] },
      },
    }
    expect(problemsOf(schema, { urls: [{ url: 1 }], kind: 'c', n: 'x', extra: 1 })).toEqual([
      { field: 'name', message: 'is required' },
      { field: 'extra', message: 'is not a known field' },
      { field: 'urls[0].url', message: 'must be a string' },
      { field: 'kind', message: 'must be one of: a, b' },
      { field: 'n', message: 'must be a number or null' },
    ])
  })

  test('a body that is not an object says so', () => {
    expect(problemsOf({ type: 'object' }, [1])).toEqual([{ field: 'body', message: 'must be a JSON object' }])
  })
})
