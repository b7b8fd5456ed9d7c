/** LogBatcher over a real sonic-boom writing a real file: whole lines, in order, 4 KiB at a time. */
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test, vi } from 'vitest'
import { LogBatcher } from './log-batcher.js'

const dir = mkdtempSync(join(tmpdir(), 'llmr-log-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

function batcherToFile(): { batcher: LogBatcher; written: () => string } {
  const path = join(dir, `out-${++files}.log`)
  const batcher = LogBatcher.toFd(openSync(path, 'a'))
  return { batcher, written: () => readFileSync(path, 'utf8') }
}

test('lines are written a chunk at a time, whole and in order; flushSync writes the rest', () => {
  const { batcher, written } = batcherToFile()
  const lines = Array.from({ length: 100 }, (_, i) => `{"n":${i},"msg":"${'x'.repeat(90)}"}\n`)
  for (const line of lines.slice(0, 30)) batcher.write(line)
  // 30 lines of 100 bytes: not yet 4 KiB, nothing written.
  expect(written()).toBe('')
  for (const line of lines.slice(30)) batcher.write(line)
  const some = written()
  expect(some.length).toBeGreaterThanOrEqual(4096)
  expect(some.length).toBeLessThan(10_000)
  expect(lines.join('').startsWith(some)).toBe(true)
  batcher.flushSync()
  expect(written()).toBe(lines.join(''))
})

test('multi-byte characters survive a chunk boundary; a line longer than a chunk is written whole', () => {
  const { batcher, written } = batcherToFile()
  const lines = Array.from({ length: 200 }, (_, i) => `{"n":${i},"msg":"é😀${'ü'.repeat(i % 37)}"}\n`)
  // 3 bytes a character: 15 KB fits a chunk only when it goes first in one; 60 KB never does.
  const wide = `{"msg":"${'€'.repeat(5_000)}"}\n`
  const long = `{"msg":"${'€'.repeat(20_000)}"}\n`
  for (const line of lines.slice(0, 50)) batcher.write(line)
  batcher.write(wide)
  for (const line of lines.slice(50, 100)) batcher.write(line)
  batcher.write(long)
  for (const line of lines.slice(100)) batcher.write(line)
  batcher.flushSync()
  expect(written()).toBe([...lines.slice(0, 50), wide, ...lines.slice(50, 100), long, ...lines.slice(100)].join(''))
})

test('a lone line is written within the flush interval', async () => {
  const { batcher, written } = batcherToFile()
  batcher.write('{"msg":"alone"}\n')
  expect(written()).toBe('')
  await vi.waitFor(() => expect(written()).toBe('{"msg":"alone"}\n'), { timeout: 2000, interval: 20 })
})
