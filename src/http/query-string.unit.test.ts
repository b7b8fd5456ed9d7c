import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { MALFORMED, parseQueryString } from './query-string.js'

// Names and values of any Unicode text but lone surrogates (which no encoder can write as UTF-8).
const text = fc.string({ unit: 'grapheme', maxLength: 12 })

describe('parseQueryString', () => {
  test('reads back whatever an encoder wrote, as URLSearchParams and encodeURIComponent write it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(text, text), { selector: ([name]) => name, maxLength: 5 }), (pairs) => {
        const expected = Object.fromEntries(pairs)
        expect({ ...parseQueryString(new URLSearchParams(pairs).toString()) }).toEqual(expected)
        const encoded = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')
        expect({ ...parseQueryString(encoded) }).toEqual(expected)
      }),
    )
  })

  test.each([
    ['search=%zz', 'search'],
    ['search=%E2%82', 'search'],
    ['search=%FF', 'search'],
    ['search=100%', 'search'],
    ['page=1&search=a%2&perPage=2', 'search'],
    ['sea%72ch=%C3', 'search'],
  ])('%s marks %s as malformed and keeps the rest', (query, name) => {
    const parsed = parseQueryString(query)
    expect(parsed[name]).toBe(MALFORMED)
    for (const [other, value] of Object.entries(parsed)) if (other !== name) expect(typeof value).toBe('string')
  })

  test('a literal % written %25, a repeated name and a bad escape in a name are left as the router reads them', () => {
    expect({ ...parseQueryString('search=100%25FF') }).toEqual({ search: '100%FF' })
    expect({ ...parseQueryString('page=%zz&page=2') }).toEqual({ page: ['%zz', '2'] })
    expect({ ...parseQueryString('%zz=1&a=b+c') }).toEqual({ '%zz': '1', a: 'b c' })
  })
})
