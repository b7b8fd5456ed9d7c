import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { numbersBeyondRange } from './json-numbers.js'

describe('numbersBeyondRange', () => {
  test('names every number beyond ±(2^53 − 1), by its field, at any depth', () => {
    expect(numbersBeyondRange(JSON.parse('{"a": 1e400, "b": [0, -1e400, {"c": 9007199254740992}], "d": "1e400"}'))).toEqual(['a', 'b[1]', 'b[2].c'])
    expect(numbersBeyondRange(JSON.parse('1e300'))).toEqual([''])
    expect(numbersBeyondRange(JSON.parse('[9007199254740991, -9007199254740991, 0.5, 1e-320]'))).toEqual([])
  })

  test('never refuses a whole number JSON.parse keeps exactly, nor any text, boolean or null', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).match(/\d{16,}|e\+/)), fc.maxSafeInteger(), (value, whole) => {
        expect(numbersBeyondRange({ value, whole })).toEqual([])
      }),
    )
  })
})
