import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gatewayKeyPolicy } from '../../src/auth.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import { createdBatch, type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';

const CHECK_CONTACTS = `query($listId: Int!, $contacts: [ContactInput!]!) {
  checkContacts(listId: $listId, contacts: $contacts) { valid total deduplicated chunks issues { path message } }
}`;
const ASSERT_CONTACTS = `mutation($listId: Int!, $contacts: [ContactInput!]!) {
  assertContacts(listId: $listId, contacts: $contacts) { total }
}`;
const CHECK_COMPANIES = `query($listId: Int!, $companies: [CompanyInput!]!) {
  checkCompanies(listId: $listId, companies: $companies) { valid total deduplicated chunks issues { path message } }
}`;
const ASSERT_COMPANIES = `mutation($listId: Int!, $companies: [CompanyInput!]!) {
  assertCompanies(listId: $listId, companies: $companies) { total }
}`;

let upstream: RecordingUpstream;
let gateway: Harness;
beforeAll(async () => {
  upstream = await startRecordingUpstream(createdBatch);
  gateway = createHarness({ upstreamUrl: upstream.url, maxItemsPerMutation: 6 });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});
afterEach(() => {
  upstream.calls.length = 0;
});

/** The issues assert* refuses with, paths as GraphQL's [String!] gives them back. */
async function refusedWith(query: string, variables: Record<string, unknown>) {
  const result = await gateway.execute(query, variables);
  if (!result.errors) return [];
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  return (result.errors[0]!.extensions!.issues as Array<{ path: unknown[]; message: string }>).map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
  }));
}

describe('checkContacts / checkCompanies', () => {
  it('answers the fold and chunk plan of a valid list, and sends nothing', async () => {
    const contacts = [
      ...Array.from({ length: 5 }, (_, i) => ({ workEmail: `c${i}@acme.com` })),
      { workEmail: ' C1@ACME.com ', firstName: 'Again' },
    ];
    const result = await gateway.execute(CHECK_CONTACTS, { listId: 3, contacts });
    expect(result.data?.checkContacts).toEqual({ valid: true, total: 6, deduplicated: 1, chunks: 1, issues: [] });
    expect(upstream.calls).toHaveLength(0);
  });

  it('answers every issue at once, as the list is checked, over the configured cap too', async () => {
    const contacts = [{ workEmail: 'nope' }, { firstName: 'Nameless' }, ...Array(5).fill({ workEmail: 'a@acme.com' })];
    const result = await gateway.execute(CHECK_CONTACTS, { listId: 0, contacts });
    expect(result.data?.checkContacts).toEqual({
      valid: false,
      total: 7,
      deduplicated: 4,
      chunks: 1,
      issues: [
        { path: ['listId'], message: 'must be a positive integer' },
        { path: ['contacts', '0', 'workEmail'], message: 'must be an e-mail address such as jane@acme.com' },
        { path: ['contacts', '1'], message: 'give workEmail or linkedinUrl: the contact is matched by one of them' },
        { path: ['contacts'], message: 'carries 7 items; one mutation takes at most 6' },
      ],
    });
    expect(upstream.calls).toHaveLength(0);
  });

  const text = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('', ' ', 'a@b.co', 'x@y', 'acme.com', 'https://linkedin.com/in/z', 'ftp://x', '\u0000', '\ud800'),
  );
  const contact = fc.record(
    {
      workEmail: fc.option(text),
      linkedinUrl: fc.option(text),
      companyDomain: fc.option(text),
      personalEmails: fc.option(fc.array(text, { maxLength: 2 })),
      additionalFields: fc.option(fc.dictionary(text, fc.oneof(text, fc.integer()), { maxKeys: 2 })),
    },
    { requiredKeys: [] },
  );
  const company = fc.record(
    {
      domain: fc.option(text),
      linkedinUrl: fc.option(text),
      employeeCount: fc.option(fc.integer({ min: -3, max: 3 })),
      additionalFields: fc.option(fc.dictionary(text, text, { maxKeys: 2 })),
    },
    { requiredKeys: [] },
  );

  it('finds exactly the issues assertContacts refuses with, path for path and message for message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -1, max: 2 }),
        fc.array(contact, { maxLength: 8 }),
        async (listId, contacts) => {
          const checked = await gateway.execute(CHECK_CONTACTS, { listId, contacts });
          const refused = await refusedWith(ASSERT_CONTACTS, { listId, contacts });
          expect(checked.data?.checkContacts.issues).toEqual(refused);
          expect(checked.data?.checkContacts.valid).toBe(refused.length === 0);
          expect(checked.data?.checkContacts.total).toBe(contacts.length);
        },
      ),
      { numRuns: 120 },
    );
    expect(upstream.calls.every((call) => call.path === '/contacts/assert/batch')).toBe(true);
  });

  it('finds exactly the issues assertCompanies refuses with', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(company, { maxLength: 8 }), async (companies) => {
        const checked = await gateway.execute(CHECK_COMPANIES, { listId: 1, companies });
        const refused = await refusedWith(ASSERT_COMPANIES, { listId: 1, companies });
        expect(checked.data?.checkCompanies.issues).toEqual(refused);
      }),
      { numRuns: 80 },
    );
  });
});

describe('who may check', () => {
  let keyed: Harness;
  afterEach(async () => {
    await keyed?.close();
  });
  const list = { listId: 1, contacts: [{ workEmail: 'a@acme.com' }] };

  it('in pass-through mode, anyone: no credentials needed', async () => {
    const result = await gateway.execute(CHECK_CONTACTS, list, {});
    expect(result.data?.checkContacts.valid).toBe(true);
  });

  it('where the gateway holds the key, only with a gateway token (or ALLOW_ANONYMOUS)', async () => {
    keyed = createHarness({ upstreamUrl: upstream.url, access: gatewayKeyPolicy('sk-key', ['tok'], false) });
    expect((await keyed.execute(CHECK_CONTACTS, list, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await keyed.execute(CHECK_CONTACTS, list, { authorization: 'Bearer other' });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const right = await keyed.execute(CHECK_CONTACTS, list, { authorization: 'Bearer tok' });
    expect(right.data?.checkContacts.valid).toBe(true);
    await keyed.close();
    keyed = createHarness({ upstreamUrl: upstream.url, access: gatewayKeyPolicy('sk-key', ['tok'], true) });
    expect((await keyed.execute(CHECK_CONTACTS, list, {})).data?.checkContacts.valid).toBe(true);
    expect(upstream.calls).toHaveLength(0);
  });
});
