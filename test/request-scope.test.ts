import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingUpstream } from './helpers/recording-upstream.js';
import { startTestGateway } from './helpers/test-gateway.js';

/** What belongs to one HTTP request (src/request-scope.ts): its cancellation. */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BATCH =
  'mutation($contacts: [ContactInput!]!) { assertContacts(listId: 1, contacts: $contacts) { total created updated failed chunks } }';

describe('cancellation', () => {
  it('a client that disconnects cancels the upstream calls that have not started', async () => {
    const upstream = await startRecordingUpstream((call) => ({
      delayMs: 100,
      body: {
        data: { total: (call.body as { contacts: unknown[] }).contacts.length, created: 0, updated: 0, errors: [] },
      },
    }));
    cleanups.push(() => upstream.close());
    const gateway = await startTestGateway({ GRAPH8_API_URL: upstream.url, UPSTREAM_CONCURRENCY: '1' });
    cleanups.push(() => gateway.shutdown());
    const contacts = Array.from({ length: 1000 }, (_, i) => ({ workEmail: `gone${i}@acme.com` }));
    const controller = new AbortController();
    const abandoned = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ query: BATCH, variables: { contacts } }),
      signal: controller.signal,
    }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort();
    expect(await abandoned).toBe('aborted');
    // Ten calls of 100 ms one at a time would take a second: wait that long, and count.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(upstream.calls.length).toBeGreaterThanOrEqual(1);
    expect(upstream.calls.length).toBeLessThanOrEqual(3);
  });
});
