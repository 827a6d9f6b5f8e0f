import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { LocalBudget } from '../../src/upstream/budget.js';
import { type UpstreamCallOptions, UpstreamClient } from '../../src/upstream/client.js';
import { Graph8Api } from '../../src/upstream/graph8-api.js';
import { RetryBudget } from '../../src/upstream/retry-policy.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';
import { type RecordingUpstream, type Script, startRecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestGateway } from '../helpers/test-gateway.js';

let upstream: RecordingUpstream;
let pool: Pool;

afterEach(async () => {
  // The last describe starts a whole gateway instead of a pool of its own.
  if (pool === undefined) return;
  await pool.close();
  await upstream.close();
  pool = undefined as never;
});

async function apiFor(
  script: Script,
  options: { maxAttempts?: number; timeoutMs?: number; retryBudget?: RetryBudget } = {},
) {
  upstream = await startRecordingUpstream(script);
  pool = new Pool(new URL(upstream.url).origin, { connections: 8 });
  return new Graph8Api(
    new UpstreamClient({
      baseUrl: upstream.url,
      dispatcher: pool,
      timeoutMs: options.timeoutMs ?? 1_000,
      maxAttempts: options.maxAttempts ?? 4,
      random: () => 0,
      ...(options.retryBudget ? { budget: new LocalBudget(undefined, Date.now, options.retryBudget) } : {}),
    }),
  );
}

const call: UpstreamCallOptions = { apiKey: 'k-123', requestId: 'req-1' };
const created = { body: { data: { action: 'created', count: 1 } } };

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe('retries', () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    it(`retries ${status} and then succeeds`, async () => {
      const api = await apiFor((_c, n) => (n < 3 ? { status, body: { detail: 'again' } } : created));
      await expect(api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call)).resolves.toEqual({
        action: 'created',
        count: 1,
      });
      expect(upstream.calls).toHaveLength(3);
    });
  }

  for (const status of [400, 401, 402, 403, 404, 409, 422]) {
    it(`sends a call answered ${status} only once`, async () => {
      const api = await apiFor(() => ({ status, body: { detail: 'no' } }));
      const error = await failure(api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call));
      expect(error.details.status).toBe(status);
      expect(upstream.calls).toHaveLength(1);
    });
  }

  it('stops after UPSTREAM_MAX_ATTEMPTS attempts', async () => {
    const api = await apiFor(() => ({ status: 503, body: { detail: 'down' } }), { maxAttempts: 3 });
    const error = await failure(api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.calls).toHaveLength(3);
  });

  it('waits as long as Retry-After says (seconds) before the next attempt', async () => {
    const api = await apiFor((_c, n) =>
      n === 1 ? { status: 429, body: {}, headers: { 'retry-after': '1' } } : created,
    );
    await api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call);
    const [first, second] = upstream.calls;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const api = await apiFor((_c, n) =>
      n === 1
        ? { status: 503, body: {}, headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() } }
        : created,
    );
    await api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call);
    const [first, second] = upstream.calls;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(900);
  });

  it('fails at once when Retry-After is beyond 10 s', async () => {
    const api = await apiFor(() => ({ status: 429, body: { detail: 'slow' }, headers: { 'retry-after': '11' } }));
    const error = await failure(api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBe(11);
    expect(upstream.calls).toHaveLength(1);
  });

  it('fails at once when the Retry-After wait would pass the operation deadline', async () => {
    const api = await apiFor(() => ({ status: 429, body: {}, headers: { 'retry-after': '5' } }));
    const error = await failure(
      api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, { ...call, deadlineMs: Date.now() + 2_000 }),
    );
    expect(error.code).toBe('RATE_LIMITED');
    expect(upstream.calls).toHaveLength(1);
  });

  it('times out an attempt that does not answer, retries it, and reports UPSTREAM_TIMEOUT', async () => {
    const api = await apiFor(() => ({ ...created, delayMs: 300 }), { timeoutMs: 100, maxAttempts: 2 });
    const error = await failure(api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(upstream.calls).toHaveLength(2);
  });

  it('retries a refused connection', async () => {
    const api = await apiFor(() => created);
    await upstream.close();
    const error = await failure(api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    upstream = await startRecordingUpstream();
  });

  it('stops retrying once the retry budget is spent', async () => {
    const budget = new RetryBudget(10, 5, 10);
    const api = await apiFor(() => ({ status: 503, body: {} }), { retryBudget: budget, maxAttempts: 10 });
    await failure(api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call));
    expect(upstream.calls).toHaveLength(3);
    expect(budget.available).toBe(0);
  });
});

describe('pacing, cancellation and the wire', () => {
  it('waits until X-RateLimit-Reset once an answer says X-RateLimit-Remaining: 0', async () => {
    const resetAt = Math.ceil(Date.now() / 1000) + 1;
    const api = await apiFor(() => ({
      ...created,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) },
    }));
    await api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call);
    await api.assertRecord('contacts', 1, { work_email: 'b@acme.com' }, call);
    expect(upstream.calls[1]!.receivedAt).toBeGreaterThanOrEqual(resetAt * 1000 - 5);
    expect(upstream.calls.map((c) => c.receivedAt)).toHaveLength(2);
  });

  it('paces per key: another key is not held back', async () => {
    const resetAt = Math.ceil(Date.now() / 1000) + 5;
    const api = await apiFor(() => ({
      ...created,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) },
    }));
    await api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, call);
    await api.assertRecord('contacts', 1, { work_email: 'b@acme.com' }, { ...call, apiKey: 'other' });
    expect(upstream.calls[1]!.receivedAt).toBeLessThan(resetAt * 1000 - 1000);
  });

  it('sends nothing once the operation is cancelled', async () => {
    const api = await apiFor(() => created);
    const controller = new AbortController();
    controller.abort();
    await failure(
      api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, { ...call, signal: controller.signal }),
    );
    expect(upstream.calls).toHaveLength(0);
  });

  it('a cancellation during a retry wait sends no further attempt', async () => {
    const controller = new AbortController();
    const api = await apiFor(() => {
      setTimeout(() => controller.abort(), 50);
      return { status: 503, body: {}, headers: { 'retry-after': '2' } };
    });
    await failure(
      api.assertRecord('contacts', 1, { work_email: 'a@acme.com' }, { ...call, signal: controller.signal }),
    );
    expect(upstream.calls).toHaveLength(1);
  });

  it('percent-encodes path segments and carries key, content type and request id', async () => {
    const api = await apiFor(() => ({ body: { data: { action: 'created', deal_id: 'd/1', contact_id: 'a/b c' } } }));
    await api.linkContactToDeal('a/b c?x#y', 'd/1', call);
    expect(upstream.calls[0]?.path).toBe('/contacts/a%2Fb%20c%3Fx%23y/deals/assert');
    expect(upstream.calls[0]?.headers).toMatchObject({
      authorization: 'Bearer k-123',
      'content-type': 'application/json',
      'x-request-id': 'req-1',
    });
  });
});

describe('UPSTREAM_MAX_RESPONSE_BYTES', () => {
  let big: RecordingUpstream | undefined;
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.shutdown();
    await big?.close();
  });

  it('an answer over the limit fails its mutation with UPSTREAM_UNAVAILABLE after one call (no retry), and the gateway keeps serving', async () => {
    big = await startRecordingUpstream((_call, n) =>
      n === 1 ? { body: { data: { action: 'created', count: 1, padding: 'x'.repeat(1_000_000) } } } : created,
    );
    gateway = await startTestGateway({ GRAPH8_API_URL: big.url, UPSTREAM_MAX_RESPONSE_BYTES: '65536' });
    const send = async (query: string) => {
      const response = await fetch((gateway as RunningGateway).url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
    };
    const mutation = 'mutation { assertContact(listId: 1, contact: {workEmail: "big@acme.com"}) { action } }';
    const oversized = await send(mutation);
    expect(oversized.body.data).toBeNull();
    expect(oversized.body.errors).toHaveLength(1);
    expect(oversized.body.errors?.[0].extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(oversized.body.errors?.[0].message).toContain('65536 bytes, UPSTREAM_MAX_RESPONSE_BYTES');
    expect(big.calls).toHaveLength(1);
    expect(await send(mutation)).toEqual({ status: 200, body: { data: { assertContact: { action: 'CREATED' } } } });
    expect(big.calls).toHaveLength(2);
    expect((await send('{ gateway { version } }')).status).toBe(200);
  });
});
