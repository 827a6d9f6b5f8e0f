import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/start-gateway.js';
import { startTestGateway } from './helpers/test-gateway.js';

/** The process's wiring (src/start-gateway.ts) with nothing configured: the embedded simulator. */

let gateway: RunningGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.shutdown();
});

const post = (body: string) =>
  fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

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
});
