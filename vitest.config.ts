import { defineConfig } from 'vitest/config'

// One suite, two backends: every test file runs once on SQLite and once on PostgreSQL.
const backend = (name: 'sqlite' | 'postgres') => ({
  extends: true as const,
  test: {
    name,
    env: { TEST_DATABASE: name },
  },
})

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [backend('sqlite'), backend('postgres')],
  },
})
