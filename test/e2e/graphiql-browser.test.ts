import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_TABS } from '../../src/plugins/use-graphiql.js';
import type { RunningGateway } from '../../src/start-gateway.js';
import { startTestGateway } from '../helpers/test-gateway.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The last run's screenshots, one per example tab, outside the working tree. */
const SCREENSHOTS = join(tmpdir(), 'graph8-gateway-test-artifacts');
// CI installs Chromium (.ci/run) and must run this; elsewhere the test says why it did not run.
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run should have installed it`);
if (!available) {
  console.warn(
    `Skipping the GraphiQL browser test: no Chromium at ${CHROMIUM}. Install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
  );
}

/** What each example tab holds: its one operation, and the root field its answer carries. */
const EXAMPLES = EXAMPLE_TABS.map((tab) => {
  const operation = parse(tab.query ?? '').definitions[0];
  const field = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections[0] : undefined;
  if (operation?.kind !== Kind.OPERATION_DEFINITION || !operation.name || field?.kind !== Kind.FIELD) {
    throw new Error(`an example tab without a named operation: ${tab.query}`);
  }
  return { name: operation.name.value, kind: operation.operation, field: field.name.value };
});

const FINAL_STATES = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'];

/**
 * The answer the result window shows, parsed, or undefined while it shows
 * none. Monaco draws only the lines in view (the page is tall enough for the
 * whole answer), each absolutely placed, and wraps long lines onto indented
 * screen lines: read in their order on screen, without their indentation and
 * joined without a break, they are the JSON with its whitespace left out.
 */
async function shownResult(page: Page): Promise<Record<string, any> | undefined> {
  const lines = await page
    .locator('.result-window .view-lines .view-line')
    .evaluateAll((nodes) => nodes.map((node: any) => [Number.parseFloat(node.style.top), node.textContent ?? '']));
  const text = lines
    .sort((a, b) => a[0] - b[0])
    .map(([, line]) => String(line).replaceAll('\u00a0', ' ').trimStart())
    .join('');
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Waits until GraphiQL has stored its tabs (500 ms after a change), so that a reload restores them. */
async function tabsStored(page: Page, activeTabIndex: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const stored = (await page.evaluate(
          `Object.keys(localStorage).filter((key) => key.endsWith('graphiql:tabState')).map((key) => localStorage.getItem(key))`,
        )) as string[];
        return stored.map((state) => JSON.parse(state).activeTabIndex);
      },
      { timeout: 10_000 },
    )
    .toEqual([activeTabIndex]);
}

/** An editor's text as drawn (Monaco draws spaces as no-break spaces). */
async function drawnText(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replaceAll('\u00a0', ' ');
}

async function tabTitles(page: Page): Promise<string[]> {
  return page.locator('.graphiql-tab-button').allTextContents();
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

  it('runs every example tab at its first press, and a reload adds no tab', async () => {
    // Tall enough for the longest answer to be drawn whole.
    const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
    const blocked: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (loopback || url.protocol === 'blob:' || url.protocol === 'data:') return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    const run = page.locator('button.graphiql-execute-button');
    const queryEditor = page.locator('.graphiql-query-editor');
    const variablesEditor = page.locator('.graphiql-editor-tool .monaco-editor[data-uri$="variables.json"]');
    const open = async () => {
      await run.waitFor({ state: 'visible', timeout: 30_000 });
      await expect.poll(async () => await drawnText(queryEditor), { timeout: 30_000 }).toContain('mutation');
    };
    mkdirSync(SCREENSHOTS, { recursive: true });

    await page.goto(gateway.url, { waitUntil: 'load' });
    await open();
    expect(await tabTitles(page)).toEqual(EXAMPLES.map((example) => example.name));
    // A reload with nothing edited used to add an empty <untitled> tab.
    await tabsStored(page, 0);
    await page.reload({ waitUntil: 'load' });
    await open();
    expect(await tabTitles(page)).toEqual(EXAMPLES.map((example) => example.name));

    let importId: string | undefined;
    for (const [index, example] of EXAMPLES.entries()) {
      await page.locator('.graphiql-tab-button').nth(index).click();
      await expect
        .poll(async () => await drawnText(queryEditor), { timeout: 10_000 })
        .toContain(`${example.kind} ${example.name}`);
      // GraphiQL reads the new tab's operation name 100 ms after the switch, and a press before then
      // sends the previous tab's ("Cannot infer operation ..."); the same step writes the query into the URL.
      await expect
        .poll(() => new URL(page.url()).searchParams.get('query'), { timeout: 10_000 })
        .toBe(EXAMPLE_TABS[index]?.query);
      if (example.kind === 'subscription') {
        // What the tab's comment asks of the reader: the id ImportContacts answered, in Variables.
        expect(importId).toBeDefined();
        await variablesEditor.click();
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.type(JSON.stringify({ importId }));
        // Monaco closed the brackets and quotes as they were typed: what follows the cursor goes.
        await page.keyboard.press('ControlOrMeta+Shift+End');
        await page.keyboard.press('Delete');
        await page.keyboard.press('Escape'); // closes the suggestions that typing opened
        await expect
          .poll(async () => await drawnText(variablesEditor.locator('.view-lines')))
          .toBe(JSON.stringify({ importId }));
      }
      await run.click();
      const answered = (result: Record<string, any> | undefined) => {
        const value = result?.data?.[example.field];
        if (value == null) return false;
        return example.kind !== 'subscription' || FINAL_STATES.includes(value.state);
      };
      const screenshot = join(SCREENSHOTS, `graphiql-${index + 1}-${example.name}.png`);
      try {
        await expect.poll(async () => answered(await shownResult(page)), { timeout: 30_000 }).toBe(true);
      } finally {
        await page.screenshot({ path: screenshot });
      }
      const result = await shownResult(page);
      // checkContacts' issues are data; a GraphQL error is not.
      expect(result, example.name).not.toHaveProperty('errors');
      const answer = result?.data?.[example.field];
      if (example.name === 'AssertContact') expect(answer).toEqual({ action: 'CREATED', count: 1 });
      if (example.name === 'CheckContacts') {
        expect(answer.valid).toBe(false);
        expect(answer.issues.length).toBeGreaterThan(0);
      }
      if (example.name === 'AssertDeal') {
        expect(answer.links).toHaveLength(2);
        for (const link of answer.links) expect(link).toMatchObject({ action: 'CREATED', dealId: answer.dealId });
      }
      if (example.name === 'ImportContacts') importId = answer.id;
      if (example.kind === 'subscription') {
        expect(answer).toMatchObject({ state: 'SUCCEEDED', failed: 0 });
        expect(answer.processed).toBe(answer.total);
      }
    }

    // A reload after all that keeps the same tabs, and the one that was open.
    await tabsStored(page, EXAMPLES.length - 1);
    await page.reload({ waitUntil: 'load' });
    await run.waitFor({ state: 'visible', timeout: 30_000 });
    await expect
      .poll(async () => await drawnText(queryEditor), { timeout: 30_000 })
      .toContain(`query ${EXAMPLES.at(-1)?.name}`);
    expect(await tabTitles(page)).toEqual(EXAMPLES.map((example) => example.name));
    expect(await page.locator('.graphiql-tab-active .graphiql-tab-button').textContent()).toBe(EXAMPLES.at(-1)?.name);

    expect(blocked).toEqual([]);
    expect(gateway.simulator?.store.contacts.find({ work_email: 'jane@acme.com' })).toBeDefined();
    expect(gateway.simulator?.store.contacts.find({ work_email: 'dana@initech.com' })).toBeDefined();
  }, 180_000);
});
