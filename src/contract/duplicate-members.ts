/**
 * Members named twice in one JSON object (`{"temperature": 0.5, "temperature": 0.7}`). JSON.parse
 * keeps the last silently, while another parser on the way (a proxy, a gateway's filter) may keep
 * the first: the service would then store what nobody checked. The server's body parser refuses
 * them, and so do the CLI and the console where they read JSON a person wrote.
 */

/** The field `segment` (a member's name, or an array's index) of the field `path`, as `details` name it. */
export function childField(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`
  return path === '' ? segment : `${path}.${segment}`
}

/** What one pass over a JSON text finds: its members (colons outside strings), and how deeply its arrays and objects nest. */
export interface JsonShape {
  members: number
  depth: number
}

export function shapeOf(text: string): JsonShape {
  let members = 0
  let open = 0
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) i = endOfString(text, i)
    else if (c === COLON) members++
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth = Math.max(depth, ++open)
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) open--
  }
  return { members, depth }
}

/**
 * The fields (as `details` name them: `metadata.team`, `urls[0].url`) named more than once in one
 * object of `text`, each once; none for almost every body. `text` is valid JSON and `value` is
 * what JSON.parse made of it: a duplicate is the only way the text can have more members than the
 * value, which two quick counts compare before anything is named. Counting the value's members
 * recurses as deeply as it nests, so past COUNTED_DEPTH the walk of the text (which keeps its own
 * stack) looks for them instead: any depth is safe.
 */
export function duplicateMembers(text: string, value: unknown, shape: JsonShape = shapeOf(text)): string[] {
  if (shape.depth > COUNTED_DEPTH) return namedTwice(text)
  return shape.members === membersIn(value) ? [] : namedTwice(text)
}

const COUNTED_DEPTH = 64

/** The members of every object in `value`. */
function membersIn(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0
  let count = 0
  if (Array.isArray(value)) {
    for (const item of value) count += membersIn(item)
    return count
  }
  // JSON.parse makes every member an own enumerable property, `__proto__` included.
  for (const key in value) count += 1 + membersIn((value as Record<string, unknown>)[key])
  return count
}

/** The slow path: walks `text`, keeping each open object's keys, and names what comes again. */
function namedTwice(text: string): string[] {
  const found = new Set<string>()
  const open: { keys: Set<string> | undefined; path: string; index: number; key: string }[] = []
  let keyNext = false
  const pathOfNext = (): string => {
    const parent = open.at(-1)
    if (parent === undefined) return ''
    return childField(parent.path, parent.keys === undefined ? parent.index : parent.key)
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const top = open.at(-1)
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      open.push({ keys: c === OPEN_OBJECT ? new Set() : undefined, path: pathOfNext(), index: 0, key: '' })
      keyNext = c === OPEN_OBJECT
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop()
    } else if (c === COMMA && top !== undefined) {
      top.index++
      keyNext = top.keys !== undefined
    } else if (c === QUOTE) {
      const end = endOfString(text, i)
      if (keyNext && top?.keys !== undefined) {
        const key = JSON.parse(text.slice(i, end + 1)) as string
        if (top.keys.has(key)) found.add(childField(top.path, key))
        top.keys.add(key)
        top.key = key
        keyNext = false
      }
      i = end
    }
  }
  return [...found]
}

/** The index of the quote that closes the string opened at `start`. */
function endOfString(text: string, start: number): number {
  let end = text.indexOf('"', start + 1)
  // A quote preceded by an odd number of backslashes is escaped.
  // Never -1 for valid JSON; the guard keeps a wrong caller from looping.
  while (end !== -1) {
    let backslashes = 0
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return end
    end = text.indexOf('"', end + 1)
  }
  return text.length
}

const QUOTE = 0x22
const COLON = 0x3a
const COMMA = 0x2c
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
