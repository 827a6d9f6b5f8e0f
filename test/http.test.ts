import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/start-gateway.js';
import { startTestGateway } from './helpers/test-gateway.js';

let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ MAX_BODY_BYTES: '200000' });
});
afterAll(async () => {
  await gateway.shutdown();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('the embedded default, over real HTTP', () => {
  it('starts the simulator in-process and says so in Query.gateway', async () => {
    expect(gateway.simulator).toBeDefined();
    const response = await post(JSON.stringify({ query: '{ gateway { upstream maxItemsPerMutation } }' }));
    expect(await response.json()).toEqual({
      data: { gateway: { upstream: 'SIMULATOR', maxItemsPerMutation: 10_000 } },
    });
  });

  it('writes an anonymous mutation into the simulator', async () => {
    const query =
      'mutation { assertContact(listId: 5, contact: {workEmail: "http@acme.com", firstName: "Jane"}) { action count } }';
    expect(await (await post(JSON.stringify({ query }))).json()).toEqual({
      data: { assertContact: { action: 'CREATED', count: 1 } },
    });
    expect(await (await post(JSON.stringify({ query }))).json()).toEqual({
      data: { assertContact: { action: 'UPDATED', count: 1 } },
    });
    expect(gateway.simulator?.store.contacts.find({ work_email: 'http@acme.com' })?.fields).toEqual({
      work_email: 'http@acme.com',
      first_name: 'Jane',
    });
  });

  it('answers /health and /readiness', async () => {
    expect((await fetch(gateway.url.replace('/graphql', '/health'))).status).toBe(200);
    expect((await fetch(gateway.url.replace('/graphql', '/readiness'))).status).toBe(200);
  });

  it('serves GraphiQL from the package, compressed, with an ETag and the example operations', async () => {
    const response = await request(gateway.url, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
    const html = gunzipSync(Buffer.from(await response.body.arrayBuffer())).toString('utf8');
    expect(html).toContain('mutation AssertContact');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    const etag = String(response.headers.etag);
    const again = await fetch(gateway.url, { headers: { accept: 'text/html', 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('refuses a body over MAX_BODY_BYTES with 413 and keeps serving', async () => {
    const big = JSON.stringify({ query: '{ gateway { version } }', variables: { pad: 'x'.repeat(250_000) } });
    expect((await post(big)).status).toBe(413);
    expect((await post(JSON.stringify({ query: '{ gateway { version } }' }))).status).toBe(200);
  });

  it('never runs a mutation over GET', async () => {
    const query = encodeURIComponent(
      'mutation { assertContact(listId: 5, contact: {workEmail: "get@acme.com"}) { action } }',
    );
    const response = await fetch(`${gateway.url}?query=${query}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(405);
    expect(gateway.simulator?.store.contacts.find({ work_email: 'get@acme.com' })).toBeUndefined();
  });

  it('answers broken JSON, a broken query and a wrong content type with 4xx, and keeps serving', async () => {
    expect((await post('{"query": ')).status).toBe(400);
    expect((await post(JSON.stringify({ query: 'mutation {' }))).status).toBe(400);
    const wrongType = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'a,b',
    });
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
    expect((await post(JSON.stringify({ query: '{ gateway { version } }' }))).status).toBe(200);
  });

  it('refuses 16 aliases and sends nothing', async () => {
    const fields = Array.from(
      { length: 16 },
      (_, i) => `a${i}: assertContact(listId: 5, contact: {workEmail: "alias${i}@acme.com"}) { action }`,
    );
    const response = await post(JSON.stringify({ query: `mutation { ${fields.join(' ')} }` }));
    const body = (await response.json()) as { errors?: Array<{ message: string }> };
    expect(body.errors?.[0]?.message).toMatch(/aliases/i);
    expect(gateway.simulator?.store.contacts.find({ work_email: 'alias0@acme.com' })).toBeUndefined();
  });

  it('accepts 15 aliases', async () => {
    const fields = Array.from(
      { length: 15 },
      (_, i) => `a${i}: assertContact(listId: 5, contact: {workEmail: "ok${i}@acme.com"}) { action }`,
    );
    const body = (await (await post(JSON.stringify({ query: `mutation { ${fields.join(' ')} }` }))).json()) as {
      data?: object;
    };
    expect(Object.keys(body.data ?? {})).toHaveLength(15);
  });
});
