import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Typed operations shared with the examples (examples/generated, printed by `npm run codegen`).
import {
  AssertCompaniesDocument,
  AssertCompanyDocument,
  AssertContactDocument,
  AssertContactsDocument,
  AssertDealDocument,
  GatewayDocument,
  LinkContactToDealDocument,
} from '../../examples/generated/graphql.js';
import {
  killGatewayProcesses,
  PACKAGE_VERSION,
  type StartedGateway,
  startGatewayProcess,
} from '../helpers/gateway-process.js';

/**
 * Every operation once through the real Node HTTP server, as `npm start` runs
 * it: the built gateway in a process of its own (under whichever Node runs the
 * tests: CI runs them on 20, 22 and 24), writing into its embedded simulator.
 * Batches once failed only here, on Node 24, when the request's abort signal
 * was not a native AbortSignal.
 */

let gateway: StartedGateway;
beforeAll(async () => {
  gateway = await startGatewayProcess();
});
afterAll(async () => {
  try {
    if (gateway) {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toEqual({ code: 0, signal: null });
    }
  } finally {
    await killGatewayProcesses();
  }
});

async function execute<T, V>(document: TypedDocumentNode<T, V>, variables: V) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: T | null; errors?: any[] } };
}

describe(`every operation through the built gateway on Node ${process.versions.node}`, () => {
  it('Query.gateway', async () => {
    expect(await execute(GatewayDocument, {})).toEqual({
      status: 200,
      body: {
        data: {
          gateway: { version: PACKAGE_VERSION, upstream: 'SIMULATOR', chunkSize: 100, maxItemsPerMutation: 10_000 },
        },
      },
    });
  });

  it('assertContact: CREATED, then UPDATED', async () => {
    const variables = { listId: 5, contact: { workEmail: 'e2e@acme.com', firstName: 'E' } };
    expect(await execute(AssertContactDocument, variables)).toEqual({
      status: 200,
      body: { data: { assertContact: { action: 'CREATED', count: 1 } } },
    });
    expect(await execute(AssertContactDocument, variables)).toEqual({
      status: 200,
      body: { data: { assertContact: { action: 'UPDATED', count: 1 } } },
    });
  });

  it('assertContacts: 251 contacts, one a duplicate, in three batch calls', async () => {
    const contacts = Array.from({ length: 250 }, (_, i) => ({ workEmail: `bulk${i}@acme.com` }));
    contacts.push({ workEmail: ' BULK7@acme.com ' });
    expect(await execute(AssertContactsDocument, { listId: 5, contacts })).toEqual({
      status: 200,
      body: {
        data: {
          assertContacts: {
            total: 251,
            created: 250,
            updated: 1,
            failed: 0,
            deduplicated: 1,
            chunks: 3,
            errors: [],
          },
        },
      },
    });
  });

  it('assertCompany', async () => {
    expect(
      await execute(AssertCompanyDocument, { listId: 5, company: { domain: 'e2e.example', name: 'E2E' } }),
    ).toEqual({ status: 200, body: { data: { assertCompany: { action: 'CREATED', count: 1 } } } });
  });

  it('assertCompanies: 150 companies in two batch calls', async () => {
    const companies = Array.from({ length: 150 }, (_, i) => ({ domain: `company${i}.example` }));
    expect(await execute(AssertCompaniesDocument, { listId: 5, companies })).toEqual({
      status: 200,
      body: {
        data: {
          assertCompanies: { total: 150, created: 150, updated: 0, failed: 0, deduplicated: 0, chunks: 2, errors: [] },
        },
      },
    });
  });

  it('assertDeal, then linkContactToDeal with its dealId: CREATED, then EXISTS; an unknown deal is NOT_FOUND', async () => {
    const deal = await execute(AssertDealDocument, {
      deal: { name: 'E2E Deal', amount: 1000, currency: 'USD', companyId: 'comp-e2e' },
    });
    expect(deal).toEqual({
      status: 200,
      body: { data: { assertDeal: { action: 'CREATED', dealId: expect.stringMatching(/^deal-/) } } },
    });
    const dealId = deal.body.data?.assertDeal.dealId as string;
    expect(await execute(LinkContactToDealDocument, { contactId: '12345', dealId })).toEqual({
      status: 200,
      body: { data: { linkContactToDeal: { action: 'CREATED', contactId: '12345', dealId } } },
    });
    expect(await execute(LinkContactToDealDocument, { contactId: '12345', dealId })).toEqual({
      status: 200,
      body: { data: { linkContactToDeal: { action: 'EXISTS', contactId: '12345', dealId } } },
    });
    const unknown = await execute(LinkContactToDealDocument, { contactId: '12345', dealId: 'deal-nope' });
    expect(unknown.body.data).toBeNull();
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/deal-nope.*12345|12345.*deal-nope/),
      extensions: { code: 'NOT_FOUND', status: 404 },
    });
  });
});
