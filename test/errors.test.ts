import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssertContactDocument } from '../examples/generated/graphql.js';
import { createHarness, type Harness } from './helpers/gateway-harness.js';
import { type RecordingUpstream, startRecordingUpstream } from './helpers/recording-upstream.js';

/** What a client sees of an upstream failure (src/errors.ts): its code, status, message and request id. */

let upstream: RecordingUpstream;
let gateway: Harness;

// A gateway per test: a 429 pauses its key for the whole process (as the contract wants), which would reach into the next test.
beforeEach(async () => {
  upstream = await startRecordingUpstream();
  gateway = createHarness({ upstreamUrl: upstream.url });
});
afterEach(async () => {
  await gateway.close();
  await upstream.close();
});

describe('upstream failures become coded GraphQL errors', () => {
  const cases: Array<[string, number, unknown, Record<string, unknown>]> = [
    [
      '401',
      401,
      { error: { code: 'unauthorized', message: 'Invalid API key', request_id: 'body-req' } },
      { code: 'UNAUTHENTICATED', status: 401, upstreamRequestId: 'up-req' },
    ],
    ['403', 403, { detail: 'Missing scope' }, { code: 'FORBIDDEN', status: 403, upstreamRequestId: 'up-req' }],
    ['404', 404, { detail: 'Deal not found' }, { code: 'NOT_FOUND', status: 404, upstreamRequestId: 'up-req' }],
    [
      '422 with field errors',
      422,
      { detail: [{ loc: ['body', 'work_email'], msg: 'value is not a valid email', type: 'value_error.email' }] },
      {
        code: 'UPSTREAM_REJECTED',
        status: 422,
        upstreamMessage: 'work_email: value is not a valid email',
        fieldErrors: [{ field: 'work_email', message: 'value is not a valid email', type: 'value_error.email' }],
        upstreamRequestId: 'up-req',
      },
    ],
    [
      '402',
      402,
      { detail: 'Out of credits' },
      { code: 'UPSTREAM_REJECTED', status: 402, upstreamMessage: 'Out of credits', upstreamRequestId: 'up-req' },
    ],
    [
      '409',
      409,
      { error: { code: 'conflict', message: 'Conflict', field: 'work_email' } },
      {
        code: 'UPSTREAM_REJECTED',
        status: 409,
        upstreamMessage: 'Conflict',
        fieldErrors: [{ field: 'work_email', message: 'Conflict' }],
        upstreamRequestId: 'up-req',
      },
    ],
  ];
  for (const [name, status, body, extensions] of cases) {
    it(`${name} -> ${String(extensions.code)}, sent once`, async () => {
      upstream.script = () => ({ status, body, headers: { 'x-request-id': 'up-req' } });
      const result = await gateway.execute(AssertContactDocument, {
        listId: 5,
        contact: { workEmail: 'jane@acme.com' },
      });
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions).toEqual(extensions);
      expect(upstream.calls).toHaveLength(1);
    });
  }

  it('5xx after every retry -> UPSTREAM_UNAVAILABLE with the status; 4 attempts', async () => {
    upstream.script = () => ({
      status: 502,
      body: '<html><body>Bad gateway</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', status: 502 });
    expect(result.errors?.[0]?.message).toBe('graph8 answered HTTP 502 without a readable message');
    expect(upstream.calls).toHaveLength(4);
  });

  it('429 with a Retry-After beyond 10 s fails at once with RATE_LIMITED and retryAfterSeconds', async () => {
    upstream.script = () => ({
      status: 429,
      body: { detail: 'Rate limit exceeded. Please slow down.' },
      headers: { 'retry-after': '30' },
    });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 30 });
    expect(result.errors?.[0]?.message).toBe('Rate limit exceeded. Please slow down.');
    expect(upstream.calls).toHaveLength(1);
  });

  it('408 that outlasts the retries -> UPSTREAM_TIMEOUT', async () => {
    upstream.script = () => ({ status: 408, body: { detail: 'Request timeout' } });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', status: 408 });
    expect(upstream.calls).toHaveLength(4);
  });

  it('an unreadable 200 answer is retried, then UPSTREAM_UNAVAILABLE', async () => {
    upstream.script = () => ({ status: 200, body: '{"data": {"act' });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', status: 200 });
    expect(upstream.calls).toHaveLength(4);
  });

  it('a reset connection is retried and then succeeds', async () => {
    upstream.script = (_call, n) => (n === 1 ? { reset: true } : { body: { data: { action: 'created', count: 1 } } });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.data).toEqual({ assertContact: { action: 'CREATED', count: 1 } });
    expect(upstream.calls).toHaveLength(2);
  });
});
