import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import {
  type RecordedCall,
  type RecordingUpstream,
  type Script,
  startRecordingUpstream,
} from '../helpers/recording-upstream.js';
import { startTestGateway } from '../helpers/test-gateway.js';

let upstream: RecordingUpstream;
let gateway: Harness;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** graph8 as the tests script it: a deal's id comes from its name, a contact id starting with "gone" is unknown. */
const deals: Script = (call) => {
  const body = call.body as Record<string, unknown>;
  if (call.path === '/deals/assert') {
    const name = String(body.name).trim().toLowerCase().replaceAll(' ', '-');
    return {
      delayMs: 20,
      body: { data: { action: name.startsWith('old') ? 'updated' : 'created', deal_id: `deal-${name}` } },
    };
  }
  const contactId = decodeURIComponent(call.path.split('/')[2] ?? '');
  if (contactId.startsWith('gone')) return { status: 404, body: { detail: 'Contact not found' } };
  const action = contactId.startsWith('known') ? 'exists' : 'created';
  return { delayMs: 20, body: { data: { action, deal_id: body.deal_id, contact_id: contactId } } };
};

async function start(script: Script = deals, upstreamConcurrency = 4) {
  upstream = await startRecordingUpstream(script);
  gateway = createHarness({ upstreamUrl: upstream.url, upstreamConcurrency });
  cleanups.push(
    () => upstream.close(),
    () => gateway.close(),
  );
}

/** One HTTP request carrying several operations (a JSON array), as Apollo's BatchHttpLink sends them. */
async function batched(
  operations: Array<{ query: string; variables?: unknown }>,
  headers: Record<string, string> = {},
) {
  const response = await gateway.app.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key', ...headers },
    body: JSON.stringify(operations),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const dealCalls = () => upstream.calls.filter((call) => call.path === '/deals/assert');
const linkCalls = () =>
  upstream.calls.filter((call) => call.path.endsWith('/deals/assert') && call.path !== '/deals/assert');
const linkedContact = (call: RecordedCall) => decodeURIComponent(call.path.split('/')[2] ?? '');

const ASSERT_DEALS = `mutation($deals: [DealInput!]!) {
  assertDeals(deals: $deals) { total created updated failed deduplicated results { action dealId links { action } } errors { index code message detail } }
}`;
const LINK_CONTACTS = `mutation($dealId: ID!, $contactIds: [ID!]!) {
  linkContactsToDeal(dealId: $dealId, contactIds: $contactIds) { total created exists failed deduplicated errors { index code message detail } }
}`;
const ASSERT_DEAL = `mutation($deal: DealInput!, $contactIds: [ID!]) {
  assertDeal(deal: $deal, contactIds: $contactIds) { action dealId links { action contactId dealId } }
}`;

describe('assertDeals', () => {
  it('folds deals by name (trimmed, any case) and companyId, later fields winning, sends each once and answers every input', async () => {
    await start();
    const result = await gateway.execute(ASSERT_DEALS, {
      deals: [
        { name: 'Enterprise', companyId: 'c1', amount: 10 },
        { name: 'Other', companyId: 'c1' },
        { name: ' ENTERPRISE ', companyId: 'c1', currency: 'USD' },
        { name: 'Enterprise', companyId: 'c2' },
        { name: 'Old deal' },
      ],
    });
    expect(result.data?.assertDeals).toEqual({
      total: 5,
      created: 4,
      updated: 1,
      failed: 0,
      deduplicated: 1,
      results: [
        { action: 'CREATED', dealId: 'deal-enterprise', links: null },
        { action: 'CREATED', dealId: 'deal-other', links: null },
        { action: 'CREATED', dealId: 'deal-enterprise', links: null },
        { action: 'CREATED', dealId: 'deal-enterprise', links: null },
        { action: 'UPDATED', dealId: 'deal-old-deal', links: null },
      ],
      errors: [],
    });
    expect(dealCalls().map((call) => call.body)).toEqual(
      expect.arrayContaining([
        { name: ' ENTERPRISE ', company_id: 'c1', amount: 10, currency: 'USD' },
        { name: 'Other', company_id: 'c1' },
        { name: 'Enterprise', company_id: 'c2' },
        { name: 'Old deal' },
      ]),
    );
    expect(dealCalls()).toHaveLength(4);
  });

  it('keeps at most UPSTREAM_CONCURRENCY calls in flight, and uses them', async () => {
    await start(deals, 3);
    const list = Array.from({ length: 30 }, (_, i) => ({ name: `Deal ${i}` }));
    const result = await gateway.execute(ASSERT_DEALS, { deals: list });
    expect(result.data?.assertDeals).toMatchObject({ total: 30, created: 30, failed: 0 });
    expect(upstream.maxInFlight()).toBe(3);
  });

  it('a deal that fails is null in results with its errors entry, a repeat of it too; the others are written', async () => {
    await start((call, n) =>
      (call.body as { name?: string }).name?.toLowerCase() === 'bad'
        ? { status: 422, body: { detail: 'amount is weird' } }
        : deals(call, n),
    );
    const result = await gateway.execute(ASSERT_DEALS, { deals: [{ name: 'Bad' }, { name: 'Good' }, { name: 'bad' }] });
    expect(result.errors).toBeUndefined();
    expect(result.data?.assertDeals).toMatchObject({
      total: 3,
      created: 1,
      failed: 2,
      deduplicated: 1,
      results: [null, { action: 'CREATED', dealId: 'deal-good' }, null],
      errors: [
        { index: 0, code: 'REJECTED', message: 'amount is weird', detail: { detail: 'amount is weird' } },
        { index: 2, code: 'REJECTED', message: 'amount is weird', detail: { detail: 'amount is weird' } },
      ],
    });
  });

  it('401 fails the whole mutation and stops the calls not yet sent', async () => {
    await start(() => ({ status: 401, delayMs: 20, body: { detail: 'bad key' } }), 1);
    const result = await gateway.execute(ASSERT_DEALS, {
      deals: Array.from({ length: 10 }, (_, i) => ({ name: `D${i}` })),
    });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(upstream.calls).toHaveLength(1);
  });
});

describe('linkContactsToDeal', () => {
  it('sends each distinct contact once; a repeat gets the same answer in the counts; a 404 fails only that contact', async () => {
    await start();
    const result = await gateway.execute(LINK_CONTACTS, {
      dealId: 'deal-1',
      contactIds: ['1', 'known-2', 'gone-3', '1', 'gone-3', '4'],
    });
    expect(result.data?.linkContactsToDeal).toEqual({
      total: 6,
      created: 3,
      exists: 1,
      failed: 2,
      deduplicated: 2,
      errors: [
        {
          index: 2,
          code: 'REJECTED',
          message: 'Contact not found (deal deal-1, contact gone-3)',
          detail: { detail: 'Contact not found' },
        },
        {
          index: 4,
          code: 'REJECTED',
          message: 'Contact not found (deal deal-1, contact gone-3)',
          detail: { detail: 'Contact not found' },
        },
      ],
    });
    expect(linkCalls().map(linkedContact).sort()).toEqual(['1', '4', 'gone-3', 'known-2']);
    expect(linkCalls().every((call) => (call.body as { deal_id: string }).deal_id === 'deal-1')).toBe(true);
  });

  it('refuses an empty list, a bad id and a path-escaping id before any call', async () => {
    await start();
    const result = await gateway.execute(LINK_CONTACTS, { dealId: '../x', contactIds: ['ok', 'a/b'] });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [
        { path: ['dealId'], message: 'must be 1 to 64 letters, digits, _ or -' },
        { path: ['contactIds', 1], message: 'must be 1 to 64 letters, digits, _ or -' },
      ],
    });
    const empty = await gateway.execute(LINK_CONTACTS, { dealId: 'd', contactIds: [] });
    expect(empty.errors?.[0]?.extensions?.issues).toEqual([
      { path: ['contactIds'], message: 'must carry at least 1 item' },
    ]);
    expect(upstream.calls).toHaveLength(0);
  });
});

describe("assertDeal's contactIds and links", () => {
  it('links each contact once the deal exists, in the order given; a repeated id is answered twice and sent once', async () => {
    await start();
    const result = await gateway.execute(ASSERT_DEAL, { deal: { name: 'Big' }, contactIds: ['b', 'a', 'b'] });
    expect(result.data?.assertDeal).toEqual({
      action: 'CREATED',
      dealId: 'deal-big',
      links: [
        { action: 'CREATED', contactId: 'b', dealId: 'deal-big' },
        { action: 'CREATED', contactId: 'a', dealId: 'deal-big' },
        { action: 'CREATED', contactId: 'b', dealId: 'deal-big' },
      ],
    });
    expect(linkCalls().map(linkedContact).sort()).toEqual(['a', 'b']);
    const firstLink = Math.min(...linkCalls().map((call) => call.receivedAt));
    expect(dealCalls()[0]!.receivedAt).toBeLessThanOrEqual(firstLink);
  });

  it('an empty list gives links: [], no list gives links: null', async () => {
    await start();
    const none = await gateway.execute(ASSERT_DEAL, { deal: { name: 'Big' } });
    expect(none.data?.assertDeal.links).toBeNull();
    const empty = await gateway.execute(ASSERT_DEAL, { deal: { name: 'Big' }, contactIds: [] });
    expect(empty.data?.assertDeal.links).toEqual([]);
    expect(linkCalls()).toHaveLength(0);
  });

  it('a failed link makes links null with its error at its path, and the deal is still answered', async () => {
    await start();
    const result = await gateway.execute(ASSERT_DEAL, { deal: { name: 'Big' }, contactIds: ['a', 'gone-1'] });
    expect(result.data?.assertDeal).toEqual({ action: 'CREATED', dealId: 'deal-big', links: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      path: ['assertDeal', 'links'],
      extensions: { code: 'NOT_FOUND', status: 404 },
    });
    expect(result.errors?.[0]?.message).toContain('gone-1');
  });
});

describe('one set of loaders per HTTP request', () => {
  it('identical deals and links across fields and batched operations are sent once, and every asker gets the answer', async () => {
    await start();
    const { status, body } = await batched([
      {
        query: `mutation { first: assertDeal(deal: {name: "Big", companyId: "c1"}, contactIds: ["1", "2"]) { dealId links { action } }
                           again: assertDeal(deal: {name: "Big", companyId: "c1"}) { dealId } }`,
      },
      { query: ASSERT_DEALS, variables: { deals: [{ name: 'Big', companyId: 'c1' }, { name: 'Small' }] } },
      { query: LINK_CONTACTS, variables: { dealId: 'deal-big', contactIds: ['2', '3'] } },
    ]);
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        data: {
          first: { dealId: 'deal-big', links: [{ action: 'CREATED' }, { action: 'CREATED' }] },
          again: { dealId: 'deal-big' },
        },
      },
      {
        data: {
          assertDeals: expect.objectContaining({
            total: 2,
            created: 2,
            results: [
              { action: 'CREATED', dealId: 'deal-big', links: null },
              { action: 'CREATED', dealId: 'deal-small', links: null },
            ],
          }),
        },
      },
      { data: { linkContactsToDeal: expect.objectContaining({ total: 2, created: 2, failed: 0 }) } },
    ]);
    expect(dealCalls().map((call) => call.body)).toEqual(
      expect.arrayContaining([{ name: 'Big', company_id: 'c1' }, { name: 'Small' }]),
    );
    expect(dealCalls()).toHaveLength(2);
    expect(linkCalls().map(linkedContact).sort()).toEqual(['1', '2', '3']);
  });

  it('a deal asked for again with other fields is sent again', async () => {
    await start();
    await gateway.execute(`mutation {
      a: assertDeal(deal: {name: "Big", amount: 1}) { dealId }
      b: assertDeal(deal: {name: "Big", amount: 2}) { dealId }
      c: assertDeal(deal: {amount: 1, name: "Big"}) { dealId }
    }`);
    expect(dealCalls().map((call) => call.body)).toEqual(
      expect.arrayContaining([
        { name: 'Big', amount: 1 },
        { name: 'Big', amount: 2 },
      ]),
    );
    expect(dealCalls()).toHaveLength(2);
  });

  it('never shares answers between requests', async () => {
    await start();
    await gateway.execute(ASSERT_DEAL, { deal: { name: 'Big' } });
    await gateway.execute(ASSERT_DEAL, { deal: { name: 'Big' } });
    expect(dealCalls()).toHaveLength(2);
  });

  it('bounds the calls in flight by UPSTREAM_CONCURRENCY for the whole request, across its operations', async () => {
    await start(deals, 2);
    const operation = (from: number) => ({
      query: ASSERT_DEALS,
      variables: { deals: Array.from({ length: 8 }, (_, i) => ({ name: `Deal ${from + i}` })) },
    });
    const { body } = await batched([operation(0), operation(100), operation(200)]);
    expect(body.map((result: any) => result.data.assertDeals.created)).toEqual([8, 8, 8]);
    expect(dealCalls()).toHaveLength(24);
    expect(upstream.maxInFlight()).toBe(2);
  });

  it('an operation of a batch that never runs answers its coded error beside the others', async () => {
    await start();
    const { status, body } = await batched([
      { query: ASSERT_DEAL, variables: { deal: { name: 5 } } },
      { query: ASSERT_DEAL, variables: { deal: { name: 'Big' } } },
    ]);
    expect(status).toBe(200);
    expect(body[0].errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body[1].data.assertDeal.dealId).toBe('deal-big');
  });

  it('more than ten batched operations are refused with 413 and nothing runs', async () => {
    await start();
    const operation = { query: ASSERT_DEAL, variables: { deal: { name: 'Big' } } };
    const { status } = await batched(Array(11).fill(operation));
    expect(status).toBe(413);
    const ten = await batched(Array(10).fill(operation));
    expect(ten.status).toBe(200);
    expect(dealCalls()).toHaveLength(1);
  });
});

describe('through the Node HTTP server, as npm start runs it', () => {
  let running: RunningGateway;
  it('assertDeals, linkContactsToDeal and assertDeal with links, batched, against the embedded simulator', async () => {
    running = await startTestGateway();
    cleanups.push(() => running.shutdown().then(() => undefined));
    const response = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { query: ASSERT_DEALS, variables: { deals: [{ name: 'Http deal' }, { name: 'http deal ' }] } },
        { query: ASSERT_DEAL, variables: { deal: { name: 'Linked deal' }, contactIds: ['7', '8'] } },
      ]),
    });
    const [bulk, single] = (await response.json()) as any[];
    expect(bulk.data.assertDeals).toMatchObject({ total: 2, created: 2, deduplicated: 1, failed: 0 });
    expect(single.data.assertDeal.links).toEqual([
      { action: 'CREATED', contactId: '7', dealId: single.data.assertDeal.dealId },
      { action: 'CREATED', contactId: '8', dealId: single.data.assertDeal.dealId },
    ]);
    const links = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: LINK_CONTACTS,
        variables: { dealId: single.data.assertDeal.dealId, contactIds: ['7', '9', '7'] },
      }),
    });
    expect(((await links.json()) as any).data.linkContactsToDeal).toMatchObject({
      total: 3,
      created: 1,
      exists: 2,
      failed: 0,
      deduplicated: 1,
    });
  });
});
