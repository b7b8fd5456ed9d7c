import { defineConfig } from '@playwright/test'

// The console's browser tests: Debian's chromium (apt-get install chromium; Playwright's own
// browser download cannot work here) against a real server on a fresh SQLite database, started
// by global-setup.ts. Screenshots go to test-results/console/ at the repository's top, outside
// the sources scripts/build.mjs watches (under console/, every run made `npm start` rebuild).
export default defineConfig({
  testDir: './e2e',
  outputDir: '../test-results/console',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: [['list']],
  use: {
    baseURL: process.env.CONSOLE_TEST_BASE_URL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
})
