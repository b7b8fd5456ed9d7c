import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SERVER_NODE_FLAGS } from './node-flags.js'
import { REPO_ROOT } from './testing/process.js'

describe('the server’s V8 settings', () => {
  it('are on the command line of npm start', () => {
    const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
    const [node, ...rest] = start.split(' ')
    expect(node).toBe('node')
    expect(rest).toEqual([...SERVER_NODE_FLAGS, 'scripts/start.mjs'])
  })
})
