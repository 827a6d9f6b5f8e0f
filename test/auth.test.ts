import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssertContactDocument, GatewayDocument } from '../examples/generated/graphql.js';
import { gatewayKeyPolicy, SIMULATOR_ANONYMOUS_KEY } from '../src/auth.js';
import { createHarness } from './helpers/gateway-harness.js';
import { type RecordingUpstream, startRecordingUpstream } from './helpers/recording-upstream.js';

let upstream: RecordingUpstream;
beforeAll(async () => {
  upstream = await startRecordingUpstream(() => ({ body: { data: { action: 'created', count: 1 } } }));
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => {
  upstream.calls.length = 0;
});

const variables = { listId: 1, contact: { workEmail: 'a@acme.com' } };

describe('who may call, and with which key', () => {
  it("pass-through: the caller's bearer key goes upstream; no key fails before any call", async () => {
    const gateway = createHarness({ upstreamUrl: upstream.url, access: { mode: 'pass-through' } });
    const withKey = await gateway.execute(AssertContactDocument, variables, {
      authorization: 'Bearer callers-graph8-key',
    });
    expect(withKey.data?.assertContact.action).toBe('CREATED');
    expect(upstream.calls[0]?.headers.authorization).toBe('Bearer callers-graph8-key');
    const without = await gateway.execute(AssertContactDocument, variables, {});
    expect(without.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const basic = await gateway.execute(AssertContactDocument, variables, { authorization: 'Basic Zm9vOmJhcg==' });
    expect(basic.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(upstream.calls).toHaveLength(1);
    await gateway.close();
  });

  it('gateway key: only a listed token unlocks it, the token is not forwarded, the key never shown', async () => {
    const gateway = createHarness({
      upstreamUrl: upstream.url,
      access: gatewayKeyPolicy('server-graph8-key', ['token-a', 'token-b'], false),
    });
    const missing = await gateway.execute(AssertContactDocument, variables, {});
    const wrong = await gateway.execute(AssertContactDocument, variables, { authorization: 'Bearer token-c' });
    expect(missing.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(wrong.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(upstream.calls).toHaveLength(0);
    const valid = await gateway.execute(AssertContactDocument, variables, { authorization: 'Bearer token-b' });
    expect(valid.data?.assertContact.action).toBe('CREATED');
    expect(upstream.calls.map((call) => call.headers.authorization)).toEqual(['Bearer server-graph8-key']);
    expect(JSON.stringify([missing, wrong, valid])).not.toMatch(/server-graph8-key|token-b|token-c/);
    await gateway.close();
  });

  it('gateway key with ALLOW_ANONYMOUS: anonymous callers use it, a wrong token is still refused', async () => {
    const gateway = createHarness({ upstreamUrl: upstream.url, access: gatewayKeyPolicy('server-key', [], true) });
    expect((await gateway.execute(AssertContactDocument, variables, {})).data?.assertContact.action).toBe('CREATED');
    expect(
      (await gateway.execute(AssertContactDocument, variables, { authorization: 'Bearer guess' })).errors?.[0]
        ?.extensions?.code,
    ).toBe('UNAUTHENTICATED');
    expect(upstream.calls.map((call) => call.headers.authorization)).toEqual(['Bearer server-key']);
    await gateway.close();
  });

  it('embedded simulator: anonymous callers are let in', async () => {
    const gateway = createHarness({ upstreamUrl: upstream.url, access: { mode: 'simulator' } });
    await gateway.execute(AssertContactDocument, variables, {});
    expect(upstream.calls[0]?.headers.authorization).toBe(`Bearer ${SIMULATOR_ANONYMOUS_KEY}`);
    await gateway.close();
  });

  it('Query.gateway and introspection need no key', async () => {
    const gateway = createHarness({ upstreamUrl: upstream.url, access: gatewayKeyPolicy('k', ['t'], false) });
    expect((await gateway.execute(GatewayDocument, {}, {})).errors).toBeUndefined();
    const introspection = await gateway.execute('{ __schema { mutationType { name } } }', undefined, {});
    expect(introspection.data).toEqual({ __schema: { mutationType: { name: 'Mutation' } } });
    await gateway.close();
  });
});
