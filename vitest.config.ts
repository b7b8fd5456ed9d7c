import { defineConfig } from 'vitest/config'

// Tests that touch no database (`*.unit.test.ts`) run once; every other test file runs once on
// SQLite and once on PostgreSQL.
const UNIT = 'src/**/*.unit.test.ts'
// The console's own rules (console/src), in the same unit project.
const CONSOLE_UNIT = 'console/src/**/*.unit.test.ts'
const backend = (name: 'sqlite' | 'postgres') => ({
  extends: true as const,
  test: {
    name,
    include: ['src/**/*.test.ts'],
    exclude: [UNIT, '**/node_modules/**'],
    env: { TEST_DATABASE: name },
  },
})

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [{ extends: true as const, test: { name: 'unit', include: [UNIT, CONSOLE_UNIT] } }, backend('sqlite'), backend('postgres')],
  },
})
