/** Members given twice in one JSON object are found and named; no other body is refused. */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { duplicateMembers, shapeOf } from './duplicate-members.js'

const found = (text: string) => duplicateMembers(text, JSON.parse(text))

describe('duplicateMembers', () => {
  test('none in any JSON a serializer writes, compact or indented', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(found(JSON.stringify(value))).toEqual([])
        expect(found(JSON.stringify(value, null, 2))).toEqual([])
      }),
    )
  })

  test('a member given again anywhere in an object is named, whatever its name holds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }), fc.nat(), (object, at) => {
        const keys = Object.keys(object)
        const again = keys[at % keys.length] as string
        const members = keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(object[key])}`)
        members.splice(at % (members.length + 1), 0, `${JSON.stringify(again)}:true`)
        expect(found(`{${members.join(',')}}`)).toEqual([again])
      }),
    )
  })

  test('nested objects are named by path, each field once', () => {
    const text = '{"metadata": {"a": 1, "a": 2, "a": 3}, "urls": [{"url": "x"}, {"url": "x", "url": "y"}], "b": {"c": [{"d": 1, "d": 2}]}}'
    expect(found(text)).toEqual(['metadata.a', 'urls[1].url', 'b.c[0].d'])
  })

  test('a name spelled with escapes is the same name', () => {
    expect(found('{"a": 1, "\\u0061": 2}')).toEqual(['a'])
    expect(found('{"\\"": 1, "\\u0022": 2}')).toEqual(['"'])
  })

  test('any depth is safe: nesting past what a recursive count could take is walked with a stack of its own', () => {
    const depth = 200_000
    const deep = `${'['.repeat(depth)}{"a": 1, "a": 2}${']'.repeat(depth)}`
    expect(shapeOf(deep)).toEqual({ members: 2, depth: depth + 1 })
    expect(found(deep)).toEqual([`${'[0]'.repeat(depth)}.a`])
    expect(found(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toEqual([])
  })

  test('the shape counts members and nesting outside strings only', () => {
    expect(shapeOf('{"a": "{[:", "b": [[{"c": ":"}]]}')).toEqual({ members: 3, depth: 4 })
    expect(shapeOf('1')).toEqual({ members: 0, depth: 0 })
  })

  test('the same name in sibling objects, or quotes, colons and braces inside strings, are not duplicates', () => {
    expect(found('[{"a": 1}, {"a": 2}]')).toEqual([])
    expect(found('{"a": {"b": 1}, "c": {"b": 2}}')).toEqual([])
    expect(found('{"a": "x:{\\"a\\": 1}\\\\", "b": "\\\\\\":"}')).toEqual([])
  })
})
