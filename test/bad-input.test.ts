import { connect } from 'node:net';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/start-gateway.js';
import { type RecordingUpstream, startRecordingUpstream } from './helpers/recording-upstream.js';
import { startTestGateway } from './helpers/test-gateway.js';

/** Hostile and clumsy requests from the OWASP GraphQL cheat sheet and scanner lists. */

const MAX_BODY_BYTES = 65_536;
let upstream: RecordingUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startRecordingUpstream(() => ({ body: { data: { action: 'created', count: 1 } } }));
  gateway = await startTestGateway({
    NODE_ENV: 'production',
    GRAPH8_API_URL: upstream.url,
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  });
});
afterAll(async () => {
  await gateway.shutdown();
  await upstream.close();
});
beforeEach(async () => {
  upstream.calls.length = 0;
});

interface Answer {
  status: number;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function send(body: string, contentType = 'application/json', method = 'POST'): Promise<Answer> {
  const response = await fetch(gateway.url, {
    method,
    headers: { 'content-type': contentType, authorization: 'Bearer k', accept: 'application/json' },
    body,
  });
  const text = await response.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    parsed = { errors: [{ message: text }] };
  }
  return { status: response.status, body: parsed };
}

const query = (text: string, variables?: unknown) => send(JSON.stringify({ query: text, variables }));

/** A clear refusal: a 4xx, or a GraphQL error with a message; never a 5xx, never an upstream call. */
async function expectRefused(answer: Answer | Promise<Answer>, status?: number) {
  const { status: actual, body } = await answer;
  expect(actual).toBeLessThan(500);
  if (status !== undefined) expect(actual).toBe(status);
  expect(body.errors?.[0]?.message).toBeTruthy();
  expect(body.errors?.[0]?.message).not.toBe('Unexpected error.');
  expect(upstream.calls).toHaveLength(0);
  const health = await query('{ gateway { upstream } }');
  expect(health.status).toBe(200);
}

const assertContact = (contact: string) => `mutation { assertContact(listId: 1, contact: ${contact}) { action } }`;

describe('the bad-input suite: each is refused clearly, nothing reaches graph8, the gateway keeps serving', () => {
  it('a deep query', async () => {
    const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(30)}name${' }'.repeat(30)} } } } } }`;
    await expectRefused(query(deep), 400);
  });

  for (const count of [16, 101, 1000]) {
    it(`${count} aliases`, async () => {
      const fields = Array.from(
        { length: count },
        (_, i) => `a${i}: assertContact(listId: 1, contact: {workEmail: "a${i}@acme.com"}) { action }`,
      );
      // 1000 of them also pass the body limit: 413 before GraphQL sees them.
      await expectRefused(query(`mutation { ${fields.join(' ')} }`), count === 1000 ? 413 : 400);
    });
  }

  it('while what a client legitimately sends passes: 15 aliased batches with their whole payload, and introspection', async () => {
    const fields = Array.from(
      { length: 15 },
      (_, i) =>
        `a${i}: assertContacts(listId: 1, contacts: [{workEmail: "ok${i}@acme.com"}]) { total created updated failed deduplicated chunks errors { index code message detail } }`,
    );
    upstream.script = (call) => ({
      body: { data: { total: 1, created: 1, updated: 0, errors: [] } },
      ...(call ? {} : {}),
    });
    const answer = await query(`mutation { ${fields.join(' ')} }`);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.data as object)).toHaveLength(15);
    const introspection = await query(
      getIntrospectionQuery({
        descriptions: true,
        inputValueDeprecation: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
      }),
    );
    expect(introspection.body.errors?.[0]?.message).toBeUndefined();
    expect(introspection.status).toBe(200);
    expect(introspection.body.errors).toBeUndefined();
    upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
  });

  it('an array batch of 11 operations', async () => {
    const operations = Array.from({ length: 11 }, (_, i) => ({
      query: assertContact(`{workEmail: "b${i}@acme.com"}`),
    }));
    await expectRefused(send(JSON.stringify(operations)));
  });

  it('a field repeated 500 times', async () => {
    await expectRefused(query(`{ gateway { ${'version '.repeat(500)} } }`), 400);
  });

  it('repeated directives', async () => {
    await expectRefused(query(`{ gateway { version ${'@include(if: true) '.repeat(50)} } }`), 400);
  });

  it('circular fragments', async () => {
    await expectRefused(
      query(
        'query { gateway { ...A } } fragment A on GatewayInfo { version ...B } fragment B on GatewayInfo { upstream ...A }',
      ),
      400,
    );
  });

  it('a body just under the limit is read; just over is refused with 413', async () => {
    const base = JSON.stringify({ query: '{ gateway { version } }', variables: { pad: '' } });
    const under = JSON.stringify({
      query: '{ gateway { version } }',
      variables: { pad: 'x'.repeat(MAX_BODY_BYTES - base.length) },
    });
    expect(Buffer.byteLength(under)).toBe(MAX_BODY_BYTES);
    expect((await send(under)).status).toBe(200);
    const over = JSON.stringify({
      query: '{ gateway { version } }',
      variables: { pad: 'x'.repeat(MAX_BODY_BYTES - base.length + 1) },
    });
    await expectRefused(send(over), 413);
  });

  it('a chunked body over the limit is refused with 413', async () => {
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        controller.close();
      },
    });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    await response.body?.cancel();
    expect(upstream.calls).toHaveLength(0);
  });

  it('a wrong Content-Length', async () => {
    const { port } = new URL(gateway.url);
    const body = JSON.stringify({ query: assertContact('{workEmail: "cl@acme.com"}') });
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('utf8');
      });
      socket.on('close', () => resolve(received));
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 20\r\n\r\n${body}`,
      );
      setTimeout(() => socket.end(), 300);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect(upstream.calls).toHaveLength(0);
    expect((await query('{ gateway { upstream } }')).status).toBe(200);
  });

  it('a url-encoded POST', async () => {
    await expectRefused(
      send(
        `query=${encodeURIComponent(assertContact('{workEmail: "f@acme.com"}'))}`,
        'application/x-www-form-urlencoded',
      ),
      415,
    );
  });

  it('a multipart POST (no file uploads)', async () => {
    const boundary = 'graph8-test-boundary';
    const operations = JSON.stringify({ query: assertContact('{workEmail: "m@acme.com"}') });
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n--${boundary}--\r\n`;
    await expectRefused(send(body, `multipart/form-data; boundary=${boundary}`), 415);
  });

  it('a text/plain POST', async () => {
    await expectRefused(send(JSON.stringify({ query: assertContact('{workEmail: "t@acme.com"}') }), 'text/plain'), 415);
  });

  it('a mutation over GET', async () => {
    const response = await fetch(
      `${gateway.url}?query=${encodeURIComponent(assertContact('{workEmail: "g@acme.com"}'))}`,
      {
        headers: { accept: 'application/json', authorization: 'Bearer k' },
      },
    );
    await expectRefused({ status: response.status, body: (await response.json()) as Answer['body'] }, 405);
  });

  it('integer overflow', async () => {
    await expectRefused(
      query('mutation { assertContact(listId: 2147483648, contact: {workEmail: "o@acme.com"}) { action } }'),
      400,
    );
    await expectRefused(
      query('mutation($id: Int!) { assertContact(listId: $id, contact: {workEmail: "o@acme.com"}) { action } }', {
        id: 1e20,
      }),
      400,
    );
  });

  it('NaN and Infinity', async () => {
    await expectRefused(
      send(
        '{"query": "mutation($d: DealInput!) { assertDeal(deal: $d) { dealId } }", "variables": {"d": {"name": "x", "amount": NaN}}}',
      ),
      400,
    );
    await expectRefused(
      send(
        '{"query": "mutation($d: DealInput!) { assertDeal(deal: $d) { dealId } }", "variables": {"d": {"name": "x", "amount": 1e400}}}',
      ),
      400,
    );
  });

  it('lone surrogates and NUL in strings', async () => {
    const mutation = 'mutation($c: ContactInput!) { assertContact(listId: 1, contact: $c) { action } }';
    await expectRefused(
      send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "s@acme.com", "firstName": "\\ud800"}}}`,
      ),
    );
    await expectRefused(
      send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "s@acme.com", "lastName": "a\\u0000b"}}}`,
      ),
    );
    await expectRefused(
      send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "s@acme.com", "additionalFields": {"note": "\\udc00"}}}}`,
      ),
    );
  });

  it('__proto__ and constructor keys', async () => {
    const mutation = 'mutation($c: ContactInput!) { assertContact(listId: 1, contact: $c) { action } }';
    await expectRefused(
      send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "p@acme.com", "additionalFields": {"__proto__": {"admin": true}}}}}`,
      ),
    );
    await expectRefused(
      send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "p@acme.com", "customFields": {"constructor": "x"}}}}`,
      ),
    );
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('misspelled fields, with no suggestions in production', async () => {
    const answer = await query('{ gateway { verison } }');
    await expectRefused(answer, 400);
    expect(JSON.stringify(answer.body)).not.toMatch(/Did you mean/i);
    const misspelledMutation = await query(
      'mutation { assertContac(listId: 1, contact: {workEmail: "m@acme.com"}) { action } }',
    );
    await expectRefused(misspelledMutation, 400);
    expect(JSON.stringify(misspelledMutation.body)).not.toMatch(/Did you mean/i);
  });

  it('broken JSON and an empty body', async () => {
    await expectRefused(send('{"query": '), 400);
    await expectRefused(send(''), 400);
  });
});
