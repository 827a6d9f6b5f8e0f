import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { startTestGateway } from '../helpers/test-gateway.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The last run's screenshot, outside the working tree. */
const SCREENSHOT = join(tmpdir(), 'graph8-gateway-test-artifacts', 'graphiql.png');
// CI installs Chromium (.ci/run) and must run this; elsewhere the test says why it did not run.
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run should have installed it`);
if (!available) {
  console.warn(
    `Skipping the GraphiQL browser test: no Chromium at ${CHROMIUM}. Install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
  );
}

describe.skipIf(!available)('GraphiQL in a real browser, offline but for loopback', () => {
  let gateway: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startTestGateway();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.shutdown();
  });

  it('runs the example assertContact and shows CREATED', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const blocked: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (loopback || url.protocol === 'blob:' || url.protocol === 'data:') return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    await page.goto(gateway.url, { waitUntil: 'load' });
    const run = page.locator('button.graphiql-execute-button');
    await run.waitFor({ state: 'visible', timeout: 30_000 });
    await expect
      .poll(async () => (await page.locator('.graphiql-query-editor').textContent()) ?? '', { timeout: 30_000 })
      .toContain('assertContact');
    await run.click();
    const result = page.locator('.result-window');
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 30_000 }).toContain('CREATED');
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(blocked).toEqual([]);
    expect(gateway.simulator?.store.contacts.find({ work_email: 'jane@acme.com' })).toBeDefined();
  }, 90_000);
});
