import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/**
 * Ids and timings a client can see (src/plugins/use-response-headers.ts, and
 * the Node layer for the answers it makes itself): every answer carries
 * `x-request-id`, and GraphQL answers `Server-Timing: upstream;dur=<ms>`. (That a
 * masked error's `extensions.requestId` is the same id: use-error-mapping.test.ts.)
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let upstream: RecordingUpstream;
let gateway: RunningGateway;
beforeAll(async () => {
  upstream = await startRecordingUpstream(() => ({ delayMs: 5, body: { data: { action: 'created', count: 1 } } }));
  gateway = await startTestGateway({ GRAPH8_API_URL: upstream.url, MAX_BODY_BYTES: '2048' });
});
afterAll(async () => {
  await gateway.shutdown();
  await upstream.close();
});
beforeEach(() => {
  upstream.calls.length = 0;
});

const MUTATION = JSON.stringify({
  query: 'mutation { assertContact(listId: 1, contact: {workEmail: "id@acme.com"}) { action } }',
});

/** Every kind of answer: GraphQL's, the Node layer's own (413, empty body), the request policy's (415), the endpoints'. */
const answers: Array<[string, (headers: Record<string, string>) => Promise<Response>]> = [
  [
    'a mutation',
    (headers) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k', ...headers },
        body: MUTATION,
      }),
  ],
  [
    'a query error (400)',
    (headers) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"query": "{ nope }"}',
      }),
  ],
  [
    'the 413',
    (headers) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: 'x'.repeat(4096) }),
      }),
  ],
  [
    'the empty-body 400',
    (headers) => fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }),
  ],
  [
    'the 415',
    (headers) =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body: MUTATION }),
  ],
  ['GET /health', (headers) => fetch(gateway.url.replace('/graphql', '/health'), { headers })],
  ['GET /', (headers) => fetch(gateway.url.replace('/graphql', '/'), { headers, redirect: 'manual' })],
];

describe('x-request-id on every answer', () => {
  for (const [name, send] of answers) {
    it(`${name}: the caller's own id when it is safe, else a generated one`, async () => {
      const own = await send({ 'x-request-id': 'trace-42.a:b_c' });
      await own.body?.cancel();
      expect(own.headers.get('x-request-id')).toBe('trace-42.a:b_c');
      const none = await send({});
      await none.body?.cancel();
      expect(none.headers.get('x-request-id')).toMatch(UUID);
      for (const unsafe of ['has spaces', 'x'.repeat(129), 'quote"d', 'new\\nline']) {
        const answer = await send({ 'x-request-id': unsafe });
        await answer.body?.cancel();
        expect(answer.headers.get('x-request-id'), unsafe).toMatch(UUID);
      }
    });
  }

  it('the id a client sees is the one sent upstream, and a generated one differs per request', async () => {
    const [first, second] = await Promise.all([answers[0]?.[1]({}), answers[0]?.[1]({})]);
    await first?.body?.cancel();
    await second?.body?.cancel();
    const ids = [first?.headers.get('x-request-id'), second?.headers.get('x-request-id')];
    expect(new Set(upstream.calls.map((call) => call.headers['x-request-id']))).toEqual(new Set(ids));
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('Server-Timing: the time spent upstream', () => {
  const timing = (response: Response) => {
    const match = /^upstream;dur=(\d+(?:\.\d+)?)$/.exec(response.headers.get('server-timing') ?? '');
    expect(match, response.headers.get('server-timing') ?? 'no Server-Timing').not.toBeNull();
    return Number(match?.[1]);
  };

  it('is above 0 after a mutation that called upstream', async () => {
    const response = await answers[0]?.[1]({});
    expect(await response?.json()).toEqual({ data: { assertContact: { action: 'CREATED' } } });
    expect(upstream.calls).toHaveLength(1);
    expect(timing(response as Response)).toBeGreaterThan(0);
  });

  it('is 0 for a query that calls nothing', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ gateway { version } }"}',
    });
    expect(response.status).toBe(200);
    expect(timing(response)).toBe(0);
  });
});
