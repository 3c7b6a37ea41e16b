import { defineConfig } from '@playwright/test';

/**
 * Browser tests against the running example portal (the backend serves the
 * built app on BACKSTAGE_URL; `.ci/run` starts it with a real Airflow), in
 * Debian's Chromium: Playwright never downloads a browser here.
 */
export default defineConfig({
  testDir: 'e2e-tests',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: process.env.CI ? [['list'], ['json']] : [['list']],
  outputDir: '.ci-out/playwright',
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://localhost:7007',
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
