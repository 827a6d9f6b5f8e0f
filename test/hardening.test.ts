import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AssertContactDocument } from '../examples/generated/graphql.js';
import { gatewayKeyPolicy } from '../src/auth.js';
import { createLogger } from '../src/logger.js';
import { startSimulator } from '../src/simulator/server.js';
import type { RunningGateway } from '../src/start-gateway.js';
import { createHarness } from './helpers/gateway-harness.js';
import { startRecordingUpstream } from './helpers/recording-upstream.js';
import { startTestGateway } from './helpers/test-gateway.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  const gateway = await startTestGateway(env);
  cleanups.push(() => gateway.shutdown());
  return gateway;
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const BATCH =
  'mutation($contacts: [ContactInput!]!) { assertContacts(listId: 1, contacts: $contacts) { total created updated failed chunks } }';

describe('limits', () => {
  it('accepts a 10,000-item batch passed in variables', async () => {
    const gateway = await gatewayWith({});
    const contacts = Array.from({ length: 10_000 }, (_, i) => ({
      workEmail: `bulk${i}@acme.com`,
      firstName: `Person ${i}`,
    }));
    const response = await postJson(gateway.url, { query: BATCH, variables: { contacts } });
    expect(await response.json()).toEqual({
      data: { assertContacts: { total: 10_000, created: 10_000, updated: 0, failed: 0, chunks: 100 } },
    });
    expect(gateway.simulator?.store.contacts.records.size).toBe(10_000);
  });

  it('accepts a 100-item list written inline', async () => {
    const gateway = await gatewayWith({});
    const items = Array.from(
      { length: 100 },
      (_, i) => `{workEmail: "inline${i}@acme.com", firstName: "P${i}", lastName: "L${i}", jobTitle: "T"}`,
    );
    const query = `mutation { assertContacts(listId: 1, contacts: [${items.join(', ')}]) { total failed } }`;
    expect(await (await postJson(gateway.url, { query })).json()).toEqual({
      data: { assertContacts: { total: 100, failed: 0 } },
    });
  });

  it('refuses sixty aliased assertContact fields, sending nothing', async () => {
    const gateway = await gatewayWith({});
    const fields = Array.from(
      { length: 60 },
      (_, i) => `a${i}: assertContact(listId: 1, contact: {workEmail: "al${i}@acme.com"}) { action }`,
    );
    const query = `mutation { ${fields.join('\n')} }`;
    // The second and third time, the validation outcome comes from the cache.
    for (let time = 0; time < 3; time++) {
      const response = await postJson(gateway.url, { query });
      expect(response.status).toBe(400);
      const { errors } = (await response.json()) as { errors: Array<{ message: string }> };
      expect(errors.map((error) => error.message)).toEqual(['Syntax Error: Aliases limit of 15 exceeded, found 60.']);
    }
    expect(gateway.simulator?.store.contacts.records.size).toBe(0);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('grants only the listed origins', async () => {
    const gateway = await gatewayWith({ CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' });
    const granted = await preflight(gateway.url, 'https://app.example.com');
    expect(granted.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const denied = await preflight(gateway.url, 'https://evil.example.com');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await postJson(
      gateway.url,
      { query: '{ gateway { version } }' },
      { origin: 'https://evil.example.com' },
    );
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('grants nobody when CORS_ORIGINS is unset', async () => {
    const gateway = await gatewayWith({});
    const response = await preflight(gateway.url, 'https://app.example.com');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('metrics', () => {
  it('/metrics counts a retried call, its attempts, and the items of a batch', async () => {
    const upstream = await startRecordingUpstream((_call, n) =>
      n === 1 ? { status: 503, body: { detail: 'busy' } } : { body: { data: { action: 'created', count: 1 } } },
    );
    cleanups.push(() => upstream.close());
    const gateway = createHarness({ upstreamUrl: upstream.url });
    cleanups.push(() => gateway.close());
    await gateway.execute(AssertContactDocument, { listId: 1, contact: { workEmail: 'm@acme.com' } });
    const text = await (await gateway.app.fetch('http://gateway.test/metrics')).text();
    expect(text).toContain('graph8_upstream_requests_total{route="contacts/assert",status="503"} 1');
    expect(text).toContain('graph8_upstream_requests_total{route="contacts/assert",status="200"} 1');
    expect(text).toContain('graph8_upstream_retries_total{route="contacts/assert"} 1');
    expect(text).toContain('graph8_upstream_calls_total{route="contacts/assert",outcome="ok"} 1');
    expect(text).toMatch(/graph8_upstream_request_duration_seconds_count\{route="contacts\/assert"\} 2/);
    expect(text).toContain('graph8_graphql_operations_total{operation_type="mutation",outcome="ok"} 1');
    expect(text).not.toContain('test-key');
  });

  it('counts batch items by outcome and chunks', async () => {
    const gateway = await gatewayWith({});
    const contacts = [{ workEmail: 'x@acme.com' }, { workEmail: 'X@acme.com' }, { workEmail: 'y@acme.com' }];
    await postJson(gateway.url, { query: BATCH, variables: { contacts } });
    const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
    expect(text).toContain('graph8_batch_items_total{kind="contacts",outcome="created"} 2');
    expect(text).toContain('graph8_batch_items_total{kind="contacts",outcome="updated"} 1');
    expect(text).toContain('graph8_batch_items_total{kind="contacts",outcome="folded"} 1');
    expect(text).toContain('graph8_batch_chunks_total{kind="contacts"} 1');
  });

  it('counts HTTP requests by method and status, refused ones included, and operations by error code', async () => {
    const gateway = await gatewayWith({ MAX_BODY_BYTES: '2000' });
    await postJson(gateway.url, { query: BATCH, variables: { contacts: [{ workEmail: 'x@acme.com' }] } });
    await postJson(gateway.url, { query: BATCH, variables: { contacts: [{ workEmail: 'not an e-mail' }] } });
    await postJson(gateway.url, { query: BATCH, variables: { contacts: [{ workEmail: 'x'.repeat(3000) }] } });
    await fetch(gateway.url, { method: 'PATCH' });
    const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
    expect(text).toContain('graph8_http_request_duration_seconds_count{method="POST",status="200"} 2');
    expect(text).toContain('graph8_http_request_duration_seconds_count{method="POST",status="413"} 1');
    expect(text).toMatch(/graph8_http_request_duration_seconds_count\{method="other",status="\d+"\} 1/);
    expect(text).toContain('graph8_graphql_operations_total{operation_type="mutation",outcome="ok"} 1');
    expect(text).toContain('graph8_graphql_operations_total{operation_type="mutation",outcome="error"} 1');
    expect(text).toContain('graph8_graphql_errors_total{code="BAD_USER_INPUT"} 1');
  });
});

describe('logs', () => {
  it('one JSON line per operation, and no key or token in any line at debug', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const upstream = await startRecordingUpstream((call) =>
      call.path === '/deals/assert'
        ? { status: 401, body: { detail: 'bad key' } }
        : { body: { data: { action: 'created', count: 1 } } },
    );
    cleanups.push(() => upstream.close());
    const gateway = createHarness({
      upstreamUrl: upstream.url,
      access: gatewayKeyPolicy('sk-live-VERY-SECRET', ['tok-ALSO-SECRET'], false),
      app: { logger: createLogger('debug', sink).logger },
    });
    cleanups.push(() => gateway.close());
    await gateway.execute(
      AssertContactDocument,
      { listId: 1, contact: { workEmail: 'log@acme.com' } },
      {
        authorization: 'Bearer tok-ALSO-SECRET',
        'x-request-id': 'trace-log-1',
      },
    );
    await gateway.execute('mutation { assertDeal(deal: {name: "D"}) { dealId } }', undefined, {
      authorization: 'Bearer tok-ALSO-SECRET',
    });
    await gateway.execute(
      AssertContactDocument,
      { listId: 1, contact: { workEmail: 'log@acme.com' } },
      { authorization: 'Bearer tok-WRONG-SECRET' },
    );
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toMatch(/VERY-SECRET|ALSO-SECRET|WRONG-SECRET/);
    }
    const operations = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'operation');
    expect(operations).toHaveLength(3);
    expect(operations[0]).toMatchObject({
      requestId: 'trace-log-1',
      operationName: 'AssertContact',
      operationType: 'mutation',
      upstreamCalls: 1,
      outcome: 'ok',
    });
    expect(operations[0].durationMs).toBeTypeOf('number');
    expect(operations[1]).toMatchObject({ outcome: 'UNAUTHENTICATED', upstreamCalls: 1 });
    expect(operations[2]).toMatchObject({ outcome: 'UNAUTHENTICATED', upstreamCalls: 0 });
  });
});

describe('shutdown', () => {
  it('a request arriving during the drain on a kept-alive connection gets 503 with Connection: close', async () => {
    const simulator = await startSimulator({ faults: { latencyMs: 300, errorRate: 0, rateLimitPerSecond: 0 } });
    cleanups.push(() => simulator.close());
    const gateway = await gatewayWith({ GRAPH8_API_URL: simulator.url });
    const { port } = new URL(gateway.url);
    const body = JSON.stringify({
      query: 'mutation { assertContact(listId: 1, contact: {workEmail: "ka@acme.com"}) { action } }',
    });
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer k\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drained = gateway.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    await drained;
    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(responses[0]).toContain('"action":"CREATED"');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(responses[1]).toMatch(/connection: close/i);
  });

  it('the built gateway, as `npm start` runs it: SIGTERM during four 500-item batches, readiness 503, every item written, exit 0', async () => {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    const simulator = await startSimulator({ faults: { latencyMs: 150, errorRate: 0, rateLimitPerSecond: 0 } });
    cleanups.push(() => simulator.close());
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
      env: { ...process.env, PORT: '0', GRAPH8_API_URL: simulator.url, LOG_LEVEL: 'info', UPSTREAM_CONCURRENCY: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        const match = /"url":"(http:\/\/[^"]+\/graphql)"/.exec(seen);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(seen)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const batches = [0, 1, 2, 3].map((batch) =>
      postJson(
        url,
        {
          query: BATCH,
          variables: { contacts: Array.from({ length: 500 }, (_, i) => ({ workEmail: `b${batch}-${i}@acme.com` })) },
        },
        { authorization: 'Bearer k' },
      ).then((response) => response.json()),
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const readiness = await fetch(url.replace('/graphql', '/readiness')).then(
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
    expect(await exited).toBe(0);
    expect(simulator.store.contacts.records.size).toBe(2000);
  });
});

describe('cancellation', () => {
  it('a client that disconnects cancels the upstream calls that have not started', async () => {
    const upstream = await startRecordingUpstream((call) => ({
      delayMs: 100,
      body: {
        data: { total: (call.body as { contacts: unknown[] }).contacts.length, created: 0, updated: 0, errors: [] },
      },
    }));
    cleanups.push(() => upstream.close());
    const gateway = await gatewayWith({ GRAPH8_API_URL: upstream.url, UPSTREAM_CONCURRENCY: '1' });
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
