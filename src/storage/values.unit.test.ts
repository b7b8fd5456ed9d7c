/**
 * isoOfTimestamptz: the same ISO text as pg's own parser and Date.toISOString, for every text
 * PostgreSQL writes, on its fast path and off it. (The HTTP test is in timestamps.test.ts.)
 */
import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { isoOfTimestamptz } from './values.js'

const pgParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ)
const asPg = (text: string): unknown => {
  const parsed: unknown = pgParser(text)
  return parsed instanceof Date ? parsed.toISOString() : parsed
}

describe('isoOfTimestamptz', () => {
  test('every millisecond, with 0 to 6 digits of fraction as PostgreSQL writes them (trailing zeros dropped), reads as pg and Date read it', () => {
    const differ: string[] = []
    for (let ms = 0; ms < 1000; ms++) {
      for (const micro of ['', '0', '001', '5', '999']) {
        const fraction = `${String(ms).padStart(3, '0')}${micro}`.replace(/0+$/, '')
        const text = `2026-12-08 01:47:01${fraction === '' ? '' : `.${fraction}`}+00`
        if (isoOfTimestamptz(text, pgParser) !== asPg(text)) differ.push(text)
      }
    }
    expect(differ).toEqual([])
  })

  test.each([
    ['2026-12-08 01:47:01.5+00', '2026-12-08T01:47:01.500Z'],
    ['2026-12-08 01:47:01.123456+00', '2026-12-08T01:47:01.123Z'],
    ['2026-12-08 01:47:01+00', '2026-12-08T01:47:01.000Z'],
    ['2024-02-29 23:59:59.999999+00', '2024-02-29T23:59:59.999Z'],
  ])('%s on the fast path is %s', (text, iso) => {
    const other = () => {
      throw new Error(`${text} should not need pg's parser`)
    }
    expect(isoOfTimestamptz(text, other)).toBe(iso)
  })

  test.each([
    // Another time zone: the instant, in UTC.
    ['2026-12-08 07:17:01.123456+05:30', '2026-12-08T01:47:01.123Z'],
    ['2026-12-07 22:47:01.12-03', '2026-12-08T01:47:01.120Z'],
    ['2026-12-08 01:47:01.123+00:00:36', '2026-12-08T01:46:25.123Z'],
    // A year past 9999, and before the common era, as Date writes them.
    ['12026-12-08 01:47:01.123+00', '+012026-12-08T01:47:01.123Z'],
    ['0044-03-15 12:00:00+00 BC', '-000043-03-15T12:00:00.000Z'],
  ])('%s goes to pg and reads %s', (text, iso) => {
    expect(asPg(text)).toBe(iso)
    expect(isoOfTimestamptz(text, pgParser)).toBe(iso)
  })

  test('infinity is left as pg reads it', () => {
    expect(isoOfTimestamptz('infinity', pgParser)).toBe(Infinity)
    expect(isoOfTimestamptz('-infinity', pgParser)).toBe(-Infinity)
  })
})
