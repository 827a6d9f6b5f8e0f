import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/server.js';
import { type Exit, killGatewayProcesses, startGatewayProcess } from '../helpers/gateway-process.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';

/** Signals to the built gateway, started as `npm start` starts it (src/main.ts, src/logger.ts, src/start-gateway.ts). */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await killGatewayProcesses();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** The exit, or a failure once `seconds` have passed: a generous bound, not a timing measurement. */
function exitWithin(exited: Promise<Exit>, seconds: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${seconds} s`)), seconds * 1000);
    void exited.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}

const BATCH =
  'mutation($contacts: [ContactInput!]!) { assertContacts(listId: 1, contacts: $contacts) { total created updated failed chunks } }';
const ASSERT_CONTACT = 'mutation { assertContact(listId: 1, contact: {workEmail: "sig@acme.com"}) { action } }';

describe('SIGTERM', () => {
  it('during four 500-item batches: readiness 503, every item written, exit 0', async () => {
    const simulator = await startSimulator({ faults: { latencyMs: 150, errorRate: 0, rateLimitPerSecond: 0 } });
    cleanups.push(() => simulator.close());
    const gateway = await startGatewayProcess({
      GRAPH8_API_URL: simulator.url,
      LOG_LEVEL: 'info',
      UPSTREAM_CONCURRENCY: '2',
    });
    const batches = [0, 1, 2, 3].map((batch) =>
      postJson(
        gateway.url,
        {
          query: BATCH,
          variables: { contacts: Array.from({ length: 500 }, (_, i) => ({ workEmail: `b${batch}-${i}@acme.com` })) },
        },
        { authorization: 'Bearer k' },
      ).then((response) => response.json()),
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const readiness = await fetch(`${gateway.origin}/readiness`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(readiness);
    const results = await Promise.all(batches);
    for (const result of results) {
      expect(result).toEqual({
        data: { assertContacts: { total: 500, created: 500, updated: 0, failed: 0, chunks: 5 } },
      });
    }
    expect(await exitWithin(gateway.exited, 30)).toEqual({ code: 0, signal: null });
    expect(simulator.store.contacts.records.size).toBe(2000);
  });

  it('with stdout gone (the log reader went away): the gateway still serves, then exits 0 on SIGTERM', async () => {
    const gateway = await startGatewayProcess({ LOG_LEVEL: 'info' });
    expect(gateway.logs().some((line) => line.msg.startsWith('graph8 gateway serving'))).toBe(true);
    gateway.child.stdout.destroy();
    // Each operation writes a log line into the closed pipe.
    for (let i = 0; i < 3; i++) {
      const response = await postJson(gateway.url, { query: ASSERT_CONTACT });
      expect(await response.json()).toEqual({ data: { assertContact: { action: i === 0 ? 'CREATED' : 'UPDATED' } } });
    }
    gateway.child.kill('SIGTERM');
    expect(await exitWithin(gateway.exited, 10)).toEqual({ code: 0, signal: null });
    expect(gateway.stderr()).toBe('');
  });

  it('a second signal exits at once while the drain still waits on an operation in flight', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstream = await startRecordingUpstream(async () => {
      await held;
      return { body: { data: { action: 'created', count: 1 } } };
    });
    cleanups.push(() => upstream.close());
    cleanups.push(async () => release());
    const gateway = await startGatewayProcess({ GRAPH8_API_URL: upstream.url, SHUTDOWN_GRACE_MS: '60000' });
    const inFlight = postJson(gateway.url, { query: ASSERT_CONTACT }, { authorization: 'Bearer k' }).then(
      (response) => response.status,
      () => 'no answer',
    );
    while (upstream.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    gateway.child.kill('SIGTERM');
    await gateway.waitForLine(/shutting down: finishing operations in flight/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gateway.child.exitCode).toBeNull();
    gateway.child.kill('SIGTERM');
    expect(await exitWithin(gateway.exited, 5)).toEqual({ code: 1, signal: null });
    expect(await inFlight).toBe('no answer');
  });
});
