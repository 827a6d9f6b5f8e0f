import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/** INTROSPECTION (src/plugins/use-introspection-switch.ts): on by default; off refuses __schema and __type only. */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function queryOn(env: Record<string, string>) {
  const gateway: RunningGateway = await startTestGateway(env);
  cleanups.push(() => gateway.shutdown());
  return async (query: string) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  };
}

describe('introspection', () => {
  it('is answered by default', async () => {
    const query = await queryOn({});
    const answer = await query('{ __schema { types { name } } __type(name: "ContactInput") { name } }');
    expect(answer.status).toBe(200);
    expect(answer.body.data.__schema.types.map((type: { name: string }) => type.name)).toContain('ContactInput');
    expect(answer.body.data.__type).toEqual({ name: 'ContactInput' });
  });

  it('INTROSPECTION=false refuses __schema and __type with GRAPHQL_VALIDATION_FAILED', async () => {
    const query = await queryOn({ INTROSPECTION: 'false' });
    for (const document of ['{ __schema { types { name } } }', '{ __type(name: "ContactInput") { name } }']) {
      const answer = await query(document);
      expect(answer.status, document).toBe(400);
      expect(answer.body.data, document).toBeUndefined();
      expect(answer.body.errors?.length, document).toBeGreaterThan(0);
      for (const error of answer.body.errors ?? [])
        expect(error.extensions.code, document).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.body.errors?.[0].message, document).toMatch(/introspection has been disabled/);
    }
  });

  it('INTROSPECTION=false still answers _service { sdl } (for routers), __typename and gateway { version }', async () => {
    const query = await queryOn({ INTROSPECTION: 'false' });
    const service = await query('{ _service { sdl } }');
    expect(service.status).toBe(200);
    expect(service.body.data._service.sdl).toContain('assertContact');
    const plain = await query('{ __typename gateway { version } }');
    expect(plain).toEqual({
      status: 200,
      body: { data: { __typename: 'Query', gateway: { version: expect.any(String) } } },
    });
  });
});
