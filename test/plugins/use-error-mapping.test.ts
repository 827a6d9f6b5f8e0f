import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { Plugin } from 'graphql-yoga';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayDocument } from '../../examples/generated/graphql.js';
import type { GatewayContext } from '../../src/context.js';
import { createLogger } from '../../src/logger.js';
import { createHarness } from '../helpers/gateway-harness.js';
import { type Answer, type HostileClient, startHostileClient } from '../helpers/hostile-requests.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/**
 * Every error a client sees is translated in one place
 * (src/plugins/use-error-mapping.ts): anything unexpected is masked, and every
 * refusal carries a code and a 4xx.
 */

let hostile: HostileClient;
beforeAll(async () => {
  hostile = await startHostileClient();
});
afterAll(async () => {
  await hostile.close();
});
beforeEach(() => {
  hostile.upstream.calls.length = 0;
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function logSink(): { lines: Array<Record<string, any>>; sink: Writable } {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, sink };
}

describe('masking', () => {
  it('a plain Error thrown inside a resolver answers "Unexpected error." with INTERNAL_SERVER_ERROR and the request id, and nothing else', async () => {
    const upstream = await startRecordingUpstream(() => ({ body: { data: { action: 'created', count: 1 } } }));
    cleanups.push(() => upstream.close());
    // A bug below the resolver: the context method assertContact's resolver calls throws a plain Error.
    const failing: Pick<GatewayContext, 'authorizeUpstream'> = {
      authorizeUpstream() {
        throw new Error('database password is hunter2');
      },
    };
    const failingInsideResolver: Plugin = {
      onContextBuilding({ extendContext }) {
        (extendContext as (fields: object) => void)(failing);
      },
    };
    const { lines, sink } = logSink();
    const broken = createHarness({
      upstreamUrl: upstream.url,
      app: { extraPlugins: [failingInsideResolver], logger: createLogger('error', sink).logger },
    });
    cleanups.push(() => broken.close());
    const { url } = await broken.listen();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({
        query: 'mutation { assertContact(listId: 5, contact: {workEmail: "a@b.co"}) { action count } }',
      }),
    });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      data: null,
      errors: [
        {
          message: 'Unexpected error.',
          locations: [{ line: 1, column: 12 }],
          path: ['assertContact'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
        },
      ],
    });
    expect(text).not.toMatch(/hunter2|stack|at /);
    expect(upstream.calls).toHaveLength(0);
    // The operator gets the original, with its stack, under the same request id.
    const logged = lines.find((line) => line.msg === 'unexpected error');
    expect(logged).toMatchObject({ requestId, err: { message: 'database password is hunter2' } });
    expect(logged?.err.stack).toContain('hunter2');
  });

  it('a plugin failing outside any resolver answers "Unexpected error." with no message, stack or internals, even in development', async () => {
    const upstream = await startRecordingUpstream();
    cleanups.push(() => upstream.close());
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    const broken = createHarness({
      upstreamUrl: upstream.url,
      app: {
        extraPlugins: [
          {
            onExecute() {
              throw new Error('database password is hunter2');
            },
          },
        ],
      },
    });
    try {
      const result = await broken.execute(GatewayDocument, {});
      expect(JSON.stringify(result)).not.toMatch(/hunter2|stack|at /);
      expect(result.errors?.[0]?.message).toBe('Unexpected error.');
    } finally {
      process.env.NODE_ENV = previous;
      await broken.close();
    }
  });
});

describe('every refusal carries a code', () => {
  const post = (body: string, contentType = 'application/json') => hostile.send(body, contentType);
  const mutationOverGet = async (): Promise<Answer> => {
    const query = 'mutation { assertContact(listId: 1, contact: {workEmail: "g@acme.com"}) { action } }';
    const response = await fetch(`${hostile.gateway.url}?query=${encodeURIComponent(query)}`, {
      headers: { accept: 'application/json', authorization: 'Bearer k' },
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as never };
  };
  const rows: Array<[string, () => Promise<Answer>, number, string]> = [
    [
      'a variable that cannot be coerced',
      () =>
        hostile.query(
          'mutation($id: Int!) { assertContact(listId: $id, contact: {workEmail: "a@acme.com"}) { action } }',
          { id: 'abc' },
        ),
      400,
      'BAD_USER_INPUT',
    ],
    [
      'an input rule broken',
      () => hostile.query('mutation { assertContact(listId: 0, contact: {workEmail: "a@acme.com"}) { action } }'),
      200,
      'BAD_USER_INPUT',
    ],
    ['a POST that is not JSON (415)', () => post('{"query": "{ __typename }"}', 'text/plain'), 415, 'BAD_REQUEST'],
    ['an empty body', () => post(''), 400, 'BAD_REQUEST'],
    ['a body over MAX_BODY_BYTES', () => post(JSON.stringify({ query: 'x'.repeat(70_000) })), 413, 'PAYLOAD_TOO_LARGE'],
    ['broken JSON', () => post('{"query": '), 400, 'BAD_REQUEST'],
    ['a query that does not parse', () => hostile.query('mutation {'), 400, 'GRAPHQL_PARSE_FAILED'],
    ['a query that does not validate', () => hostile.query('{ nope }'), 400, 'GRAPHQL_VALIDATION_FAILED'],
    [
      "one of armor's limits (16 aliases)",
      () => hostile.query(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: gateway { version }`).join(' ')} }`),
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a field repeated 500 times (the selection limit)',
      () => hostile.query(`{ gateway { ${'version '.repeat(500)} } }`),
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['a mutation over GET', mutationOverGet, 405, 'BAD_REQUEST'],
  ];
  for (const [name, send, status, code] of rows) {
    it(`${name}: ${status}, ${code}`, async () => {
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(answer.body.errors?.length).toBeGreaterThan(0);
      for (const error of answer.body.errors ?? []) {
        expect(error.extensions?.code).toBe(code);
        expect(error.extensions).not.toHaveProperty('originalError');
      }
      expect(JSON.stringify(answer.body)).not.toMatch(/stack|"at /);
      await hostile.expectRefused(answer, status);
    });
  }

  it('a request during the shutdown drain: 503, SERVICE_UNAVAILABLE', async () => {
    const upstream = await startRecordingUpstream(() => ({
      delayMs: 300,
      body: { data: { action: 'created', count: 1 } },
    }));
    cleanups.push(() => upstream.close());
    const gateway = await startTestGateway({ GRAPH8_API_URL: upstream.url });
    cleanups.push(() => gateway.shutdown());
    const body = JSON.stringify({
      query: 'mutation { assertContact(listId: 1, contact: {workEmail: "d@acme.com"}) { action } }',
    });
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer k\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    while (upstream.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const drained = gateway.shutdown();
    socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    await closed;
    await drained;
    const refused = received.split(/(?=HTTP\/1\.1 )/)[1] ?? '';
    expect(refused).toMatch(/^HTTP\/1\.1 503/);
    const json = /\{"errors".*\}/.exec(refused)?.[0] ?? '{}';
    expect(JSON.parse(json)).toEqual({
      errors: [
        {
          message: 'The gateway is shutting down; retry on another instance.',
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        },
      ],
    });
  });
});

describe('bad variables answer 400, whatever the Accept header', () => {
  it('integer overflow, written inline or in variables', async () => {
    await hostile.expectRefused(
      hostile.query('mutation { assertContact(listId: 2147483648, contact: {workEmail: "o@acme.com"}) { action } }'),
      400,
    );
    await hostile.expectRefused(
      hostile.query(
        'mutation($id: Int!) { assertContact(listId: $id, contact: {workEmail: "o@acme.com"}) { action } }',
        { id: 1e20 },
      ),
      400,
    );
  });

  it('a variable that cannot be coerced is named, with the path to the bad value (graphql-jit names neither)', async () => {
    const deal = await hostile.query('mutation($d: DealInput!) { assertDeal(deal: $d) { dealId } }', {
      d: { name: 'x', amount: 'lots' },
    });
    expect(deal.status).toBe(400);
    expect(deal.body.errors?.[0]?.message).toBe(
      'Variable "$d" got invalid value "lots" at "d.amount"; Float cannot represent non numeric value: "lots"',
    );
    const list = await hostile.query(
      'mutation($c: [ContactInput!]!) { assertContacts(listId: 1, contacts: $c) { total } }',
      {
        c: [{ workEmail: 'a@acme.com' }, { workEmail: 5 }],
      },
    );
    expect(list.body.errors?.[0]).toMatchObject({
      message: 'Variable "$c" got invalid value 5 at "c[1].workEmail"; String cannot represent a non string value: 5',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(hostile.upstream.calls).toHaveLength(0);
  });

  it('NaN and Infinity', async () => {
    await hostile.expectRefused(
      hostile.send(
        '{"query": "mutation($d: DealInput!) { assertDeal(deal: $d) { dealId } }", "variables": {"d": {"name": "x", "amount": NaN}}}',
      ),
      400,
    );
    await hostile.expectRefused(
      hostile.send(
        '{"query": "mutation($d: DealInput!) { assertDeal(deal: $d) { dealId } }", "variables": {"d": {"name": "x", "amount": 1e400}}}',
      ),
      400,
    );
  });
});
