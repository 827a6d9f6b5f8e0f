import { getIntrospectionQuery } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/start-gateway.js';
import { type HostileClient, startHostileClient } from './helpers/hostile-requests.js';
import { startTestGateway } from './helpers/test-gateway.js';

/**
 * What createApp (src/app.ts) sets for every request: graphql-armor's limits,
 * the cap on batched operations, field suggestions hidden in production, and
 * CORS for the listed origins only.
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

const assertContact = (contact: string) => `mutation { assertContact(listId: 1, contact: ${contact}) { action } }`;
const aliased = (count: number, prefix: string) =>
  Array.from(
    { length: count },
    (_, i) => `a${i}: assertContact(listId: 1, contact: {workEmail: "${prefix}${i}@acme.com"}) { action }`,
  );

describe('aliases: at most 15 per operation', () => {
  it('accepts 15 aliased assertContact fields', async () => {
    const answer = await hostile.query(`mutation { ${aliased(15, 'ok').join(' ')} }`);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.data ?? {})).toHaveLength(15);
    expect(hostile.upstream.calls).toHaveLength(15);
  });

  for (const count of [16, 101, 1000]) {
    it(`refuses ${count} aliases and sends nothing`, async () => {
      const answer = await hostile.query(`mutation { ${aliased(count, 'alias').join(' ')} }`);
      // 1000 of them also pass the body limit: 413 before GraphQL sees them.
      await hostile.expectRefused(answer, count === 1000 ? 413 : 400);
      if (count < 1000) expect(answer.body.errors?.[0]?.message).toMatch(/aliases/i);
    });
  }

  it("refuses sixty aliased assertContact fields with armor's message, every time it is sent", async () => {
    const query = `mutation { ${aliased(60, 'al').join('\n')} }`;
    for (let time = 0; time < 3; time++) {
      const answer = await hostile.query(query);
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.map((error) => error.message)).toEqual([
        'Syntax Error: Aliases limit of 15 exceeded, found 60.',
      ]);
    }
    expect(hostile.upstream.calls).toHaveLength(0);
  });

  it('lets what a client legitimately sends pass: 15 aliased batches with their whole payload, and introspection', async () => {
    const fields = Array.from(
      { length: 15 },
      (_, i) =>
        `a${i}: assertContacts(listId: 1, contacts: [{workEmail: "ok${i}@acme.com"}]) { total created updated failed deduplicated chunks errors { index code message detail } }`,
    );
    hostile.upstream.script = () => ({ body: { data: { total: 1, created: 1, updated: 0, errors: [] } } });
    try {
      const answer = await hostile.query(`mutation { ${fields.join(' ')} }`);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body.data as object)).toHaveLength(15);
      const introspection = await hostile.query(
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
    } finally {
      hostile.upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
    }
  });
});

describe("armor's other limits, and hostile documents: refused clearly, nothing sent, still serving", () => {
  it('a deep query', async () => {
    const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(30)}name${' }'.repeat(30)} } } } } }`;
    await hostile.expectRefused(hostile.query(deep), 400);
  });

  it('a field repeated 500 times', async () => {
    await hostile.expectRefused(hostile.query(`{ gateway { ${'version '.repeat(500)} } }`), 400);
  });

  it('repeated directives', async () => {
    await hostile.expectRefused(hostile.query(`{ gateway { version ${'@include(if: true) '.repeat(50)} } }`), 400);
  });

  it('circular fragments', async () => {
    await hostile.expectRefused(
      hostile.query(
        'query { gateway { ...A } } fragment A on GatewayInfo { version ...B } fragment B on GatewayInfo { upstream ...A }',
      ),
      400,
    );
  });

  it('an array batch of 11 operations', async () => {
    const operations = Array.from({ length: 11 }, (_, i) => ({
      query: assertContact(`{workEmail: "b${i}@acme.com"}`),
    }));
    await hostile.expectRefused(hostile.send(JSON.stringify(operations)));
  });

  it('misspelled fields, with no suggestions in production', async () => {
    const answer = await hostile.query('{ gateway { verison } }');
    await hostile.expectRefused(answer, 400);
    expect(JSON.stringify(answer.body)).not.toMatch(/Did you mean/i);
    const misspelledMutation = await hostile.query(
      'mutation { assertContac(listId: 1, contact: {workEmail: "m@acme.com"}) { action } }',
    );
    await hostile.expectRefused(misspelledMutation, 400);
    expect(JSON.stringify(misspelledMutation.body)).not.toMatch(/Did you mean/i);
  });
});

describe('the limits leave room for big inputs (embedded simulator)', () => {
  const BATCH =
    'mutation($contacts: [ContactInput!]!) { assertContacts(listId: 1, contacts: $contacts) { total created updated failed chunks } }';

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
