import { defineConfig } from '@playwright/test';

/**
 * The fresh-app proof's checks (scripts/fresh-app.sh test): against the new
 * app's backend at FRESH_APP_URL, which serves the built app, in Debian's
 * Chromium (the flags of the repository's playwright.config.ts).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list'], ['json']],
  outputDir: `${
    process.env.FRESH_APP_OUT ?? '../../.ci-out/fresh-app'
  }/playwright`,
  use: {
    baseURL: process.env.FRESH_APP_URL ?? 'http://localhost:7008',
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
