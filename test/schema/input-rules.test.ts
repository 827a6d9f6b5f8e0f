import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AssertCompaniesDocument,
  AssertCompanyDocument,
  AssertContactDocument,
  AssertContactsDocument,
  AssertDealDocument,
  LinkContactToDealDocument,
} from '../../examples/generated/graphql.js';
import type { WireFields } from '../../src/upstream/wire.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import { type HostileClient, startHostileClient } from '../helpers/hostile-requests.js';
import { createdBatch, type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';

/**
 * The input rules (src/schema/input-rules.ts over src/records/): every broken
 * rule reported at once, before any upstream call.
 */

let upstream: RecordingUpstream;
let gateway: Harness;

beforeAll(async () => {
  upstream = await startRecordingUpstream(() => ({ body: { data: { action: 'created', count: 1 } } }));
  gateway = createHarness({ upstreamUrl: upstream.url, maxItemsPerMutation: 50 });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.calls.length = 0;
});

type Issue = { path: Array<string | number>; message: string };

function issuesOf(result: { errors?: Array<{ extensions?: Record<string, any> }> }): Issue[] {
  expect(result.errors).toHaveLength(1);
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  return result.errors?.[0]?.extensions?.issues as Issue[];
}

const contact = (fields: Record<string, unknown>) =>
  gateway.execute(AssertContactDocument, { listId: 5, contact: fields as never });
const company = (fields: Record<string, unknown>) =>
  gateway.execute(AssertCompanyDocument, { listId: 5, company: fields as never });
const deal = (fields: Record<string, unknown>) => gateway.execute(AssertDealDocument, { deal: fields as never });

describe('every input rule is checked before any upstream call', () => {
  const rejected: Array<[string, () => Promise<any>, Array<string | number>]> = [
    [
      'listId 0',
      () => gateway.execute(AssertContactDocument, { listId: 0, contact: { workEmail: 'a@acme.com' } }),
      ['listId'],
    ],
    [
      'listId negative',
      () => gateway.execute(AssertCompanyDocument, { listId: -3, company: { domain: 'acme.com' } }),
      ['listId'],
    ],
    ['contact without a match key', () => contact({ firstName: 'Jane' }), ['contact']],
    ['contact with both keys null', () => contact({ workEmail: null, linkedinUrl: null }), ['contact']],
    ['company without a match key', () => company({ name: 'Acme' }), ['company']],
    ['workEmail not an e-mail', () => contact({ workEmail: 'jane-at-acme.com' }), ['contact', 'workEmail']],
    [
      'linkedinUrl off linkedin.com',
      () => contact({ linkedinUrl: 'https://example.com/in/jane' }),
      ['contact', 'linkedinUrl'],
    ],
    [
      'linkedinUrl without http(s)',
      () => contact({ linkedinUrl: 'ftp://linkedin.com/in/jane' }),
      ['contact', 'linkedinUrl'],
    ],
    [
      'linkedinUrl on a look-alike host',
      () => contact({ linkedinUrl: 'https://evil-linkedin.com/in/x' }),
      ['contact', 'linkedinUrl'],
    ],
    [
      'personalEmails element not an e-mail',
      () => contact({ workEmail: 'a@acme.com', personalEmails: ['jane@home.example', 'nope'] }),
      ['contact', 'personalEmails', 1],
    ],
    ['domain with a scheme', () => company({ domain: 'https://acme.com' }), ['company', 'domain']],
    ['domain with a path', () => company({ domain: 'acme.com/about' }), ['company', 'domain']],
    ['domain with a port', () => company({ domain: 'acme.com:8080' }), ['company', 'domain']],
    [
      'companyDomain with a scheme',
      () => contact({ workEmail: 'a@acme.com', companyDomain: 'http://acme.com' }),
      ['contact', 'companyDomain'],
    ],
    ['employeeCount negative', () => company({ domain: 'acme.com', employeeCount: -1 }), ['company', 'employeeCount']],
    ['amount negative', () => deal({ name: 'D', amount: -0.01 }), ['deal', 'amount']],
    ['currency not ISO 4217', () => deal({ name: 'D', currency: 'DOLLARS' }), ['deal', 'currency']],
    ['currency unknown code', () => deal({ name: 'D', currency: 'ZZZ' }), ['deal', 'currency']],
    ['closeDate not ISO 8601', () => deal({ name: 'D', closeDate: '31/12/2026' }), ['deal', 'closeDate']],
    ['closeDate impossible', () => deal({ name: 'D', closeDate: '2026-02-30' }), ['deal', 'closeDate']],
    ['deal name blank', () => deal({ name: '   ' }), ['deal', 'name']],
    [
      'contactId with a slash',
      () => gateway.execute(LinkContactToDealDocument, { contactId: '../admin', dealId: 'deal-1' }),
      ['contactId'],
    ],
    [
      'dealId too long',
      () => gateway.execute(LinkContactToDealDocument, { contactId: '1', dealId: 'd'.repeat(65) }),
      ['dealId'],
    ],
    ['dealId empty', () => gateway.execute(LinkContactToDealDocument, { contactId: '1', dealId: '' }), ['dealId']],
    [
      'additionalFields camelCase key',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { twitterHandle: 'x' } }),
      ['contact', 'additionalFields', 'twitterHandle'],
    ],
    [
      'additionalFields owned field',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { work_email: 'b@acme.com' } }),
      ['contact', 'additionalFields', 'work_email'],
    ],
    [
      'additionalFields list_id',
      () => company({ domain: 'acme.com', additionalFields: { list_id: 9 } }),
      ['company', 'additionalFields', 'list_id'],
    ],
    [
      'additionalFields custom_fields',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { custom_fields: 'x' } }),
      ['contact', 'additionalFields', 'custom_fields'],
    ],
    [
      'additionalFields constructor',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { constructor: 'x' } }),
      ['contact', 'additionalFields', 'constructor'],
    ],
    [
      'additionalFields prototype',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { prototype: 'x' } }),
      ['contact', 'additionalFields', 'prototype'],
    ],
    [
      'additionalFields nested object value',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { extra: { a: 1 } } }),
      ['contact', 'additionalFields', 'extra'],
    ],
    [
      'additionalFields nested list value',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { extra: [[1]] } }),
      ['contact', 'additionalFields', 'extra', 0],
    ],
    [
      'customFields key too long',
      () => contact({ workEmail: 'a@acme.com', customFields: { ['k'.repeat(129)]: 1 } }),
      ['contact', 'customFields', 'k'.repeat(129)],
    ],
    [
      'customFields object value',
      () => contact({ workEmail: 'a@acme.com', customFields: { score: { a: 1 } } }),
      ['contact', 'customFields', 'score'],
    ],
    [
      'string over 2048 characters',
      () => contact({ workEmail: 'a@acme.com', firstName: 'x'.repeat(2049) }),
      ['contact', 'firstName'],
    ],
    [
      'string over 2048 in additionalFields',
      () => contact({ workEmail: 'a@acme.com', additionalFields: { note: 'x'.repeat(2049) } }),
      ['contact', 'additionalFields', 'note'],
    ],
    ['empty list', () => gateway.execute(AssertContactsDocument, { listId: 5, contacts: [] }), ['contacts']],
  ];
  for (const [name, send, path] of rejected) {
    it(`refuses ${name}`, async () => {
      const issues = issuesOf(await send());
      expect(issues.map((issue) => issue.path)).toContainEqual(path);
      expect(upstream.calls).toHaveLength(0);
    });
  }

  it('refuses more than 100 additional fields', async () => {
    const additionalFields = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`field_${i}`, i]));
    const issues = issuesOf(await contact({ workEmail: 'a@acme.com', additionalFields }));
    expect(issues).toEqual([{ path: ['contact', 'additionalFields'], message: 'must carry at most 100 fields' }]);
    expect(upstream.calls).toHaveLength(0);
  });

  it('refuses __proto__ keys sent in variables (JSON keeps them as own keys)', async () => {
    const body = `{"query":"mutation($c: ContactInput!) { assertContact(listId: 5, contact: $c) { action } }","variables":{"c":{"workEmail":"a@acme.com","additionalFields":{"__proto__":{"x":1}},"customFields":{"__proto__":1}}}}`;
    const response = await gateway.app.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body,
    });
    const issues = issuesOf((await response.json()) as never);
    expect(issues.map((issue) => issue.path)).toEqual([
      ['contact', 'customFields', '__proto__'],
      ['contact', 'additionalFields', '__proto__'],
    ]);
    expect(upstream.calls).toHaveLength(0);
  });

  it('reports every broken rule at once, with argument paths into the list', async () => {
    const result = await gateway.execute(AssertContactsDocument, {
      listId: 0,
      contacts: [
        { workEmail: 'ok@acme.com' },
        { firstName: 'no key' },
        { workEmail: 'bad', linkedinUrl: 'https://example.com/x' },
        { workEmail: 'ok2@acme.com', additionalFields: { Bad: 1, first_name: 'x' } },
      ],
    });
    expect(issuesOf(result)).toEqual([
      { path: ['listId'], message: 'must be a positive integer' },
      { path: ['contacts', 1], message: 'give workEmail or linkedinUrl: the contact is matched by one of them' },
      { path: ['contacts', 2, 'workEmail'], message: 'must be an e-mail address such as jane@acme.com' },
      {
        path: ['contacts', 2, 'linkedinUrl'],
        message: 'must be an http(s) URL on linkedin.com such as https://www.linkedin.com/in/jane-doe',
      },
      {
        path: ['contacts', 3, 'additionalFields', 'Bad'],
        message: 'field names must be snake_case upstream names (a-z, 0-9 and _, starting with a letter, at most 64)',
      },
      {
        path: ['contacts', 3, 'additionalFields', 'first_name'],
        message: '"first_name" has its own input field; set it there',
      },
    ]);
    expect(upstream.calls).toHaveLength(0);
  });

  it('refuses a list over MAX_ITEMS_PER_MUTATION, together with the item issues', async () => {
    const contacts = Array.from({ length: 51 }, (_, i) => ({ workEmail: `c${i}@acme.com` }));
    expect(issuesOf(await gateway.execute(AssertContactsDocument, { listId: 5, contacts }))).toEqual([
      { path: ['contacts'], message: 'carries 51 items; one mutation takes at most 50' },
    ]);
    contacts[7] = { workEmail: 'broken' };
    expect(
      issuesOf(
        await gateway.execute(AssertCompaniesDocument, {
          listId: 5,
          companies: contacts.map((_, i) => ({ domain: i === 7 ? 'bad domain' : `c${i}.com` })),
        }),
      ),
    ).toEqual([
      {
        path: ['companies', 7, 'domain'],
        message: 'must be a bare host name such as acme.com (no scheme, path or port)',
      },
      { path: ['companies'], message: 'carries 51 items; one mutation takes at most 50' },
    ]);
    expect(upstream.calls).toHaveLength(0);
  });

  it('accepts the edges of every rule', async () => {
    const accepted = [
      await contact({ workEmail: '  Jane.Doe+crm@Acme.CO.uk ' }),
      await contact({ linkedinUrl: 'http://linkedin.com/in/jane' }),
      await contact({ linkedinUrl: 'https://uk.linkedin.com/in/jane/' }),
      await contact({
        workEmail: 'a@acme.com',
        firstName: 'x'.repeat(2048),
        additionalFields: { a: [1, 'b', true, null], b: null },
      }),
      await company({ domain: 'sub.acme-corp.io', employeeCount: 0 }),
      await company({ linkedinUrl: 'https://www.linkedin.com/company/acme' }),
      await deal({ name: 'D', amount: 0, currency: 'EUR', closeDate: '2026-12-31T17:00:00Z' }),
      await deal({ name: 'D', closeDate: '2026-12-31T17:00:00+02:00' }),
      await gateway.execute(LinkContactToDealDocument, { contactId: 'A_b-9', dealId: 'd'.repeat(64) }),
    ];
    upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
    for (const result of accepted) expect(result.errors?.[0]?.extensions?.code).not.toBe('BAD_USER_INPUT');
  });
});

describe('every text field of every input object is checked', () => {
  interface IntrospectedType {
    kind: string;
    name: string | null;
    ofType: IntrospectedType | null;
  }
  const typeQuery = (name: string) =>
    `{ __type(name: "${name}") { inputFields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`;
  const namedType = (type: IntrospectedType): IntrospectedType => (type.ofType ? namedType(type.ofType) : type);
  const isList = (type: IntrospectedType): boolean =>
    type.kind === 'LIST' || (type.ofType !== null && isList(type.ofType));
  const inputs: Array<[string, string, Record<string, unknown>, (fields: Record<string, unknown>) => Promise<any>]> = [
    ['ContactInput', 'contact', { workEmail: 'a@acme.com' }, contact],
    ['CompanyInput', 'company', { domain: 'acme.com' }, company],
    ['DealInput', 'deal', { name: 'D' }, deal],
  ];
  // A control character and a lone surrogate: refused by the text rules, or by a field's stricter format.
  const broken = ['a\u0000b', 'a\ud800b'];

  for (const [typeName, argument, matchable, send] of inputs) {
    it(`${typeName}: every String and ID field, as introspection lists them`, async () => {
      const introspection = await gateway.execute<
        { __type: { inputFields: Array<{ name: string; type: IntrospectedType }> } },
        never
      >(typeQuery(typeName));
      const textFields = (introspection.data?.__type.inputFields ?? []).filter((field) =>
        ['String', 'ID'].includes(namedType(field.type).name ?? ''),
      );
      expect(textFields.length).toBeGreaterThanOrEqual(4);
      for (const field of textFields) {
        for (const value of broken) {
          const list = isList(field.type);
          const issues = issuesOf(await send({ ...matchable, [field.name]: list ? [value] : value }));
          expect(
            issues.map((issue) => issue.path),
            field.name,
          ).toContainEqual([argument, field.name, ...(list ? [0] : [])]);
        }
      }
      expect(upstream.calls).toHaveLength(0);
    });
  }
});

describe('hostile strings and keys, sent to a production gateway over HTTP', () => {
  let hostile: HostileClient;
  beforeAll(async () => {
    hostile = await startHostileClient();
  });
  afterAll(async () => {
    await hostile.close();
  });
  const mutation = 'mutation($c: ContactInput!) { assertContact(listId: 1, contact: $c) { action } }';

  it('lone surrogates and NUL in strings', async () => {
    await hostile.expectRefused(
      hostile.send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "s@acme.com", "firstName": "\\ud800"}}}`,
      ),
    );
    await hostile.expectRefused(
      hostile.send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "s@acme.com", "lastName": "a\\u0000b"}}}`,
      ),
    );
    await hostile.expectRefused(
      hostile.send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "s@acme.com", "additionalFields": {"note": "\\udc00"}}}}`,
      ),
    );
  });

  it('__proto__ and constructor keys', async () => {
    await hostile.expectRefused(
      hostile.send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "p@acme.com", "additionalFields": {"__proto__": {"admin": true}}}}}`,
      ),
    );
    await hostile.expectRefused(
      hostile.send(
        `{"query": ${JSON.stringify(mutation)}, "variables": {"c": {"workEmail": "p@acme.com", "customFields": {"constructor": "x"}}}}`,
      ),
    );
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('validation, through the API, for any input (fast-check)', () => {
  let upstream: RecordingUpstream;
  let gateway: Harness;
  beforeAll(async () => {
    upstream = await startRecordingUpstream(createdBatch);
    gateway = createHarness({ upstreamUrl: upstream.url });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', ' ', 'a@b.co', 'x@y', 'acme.com', 'https://linkedin.com/in/z', '\u0000', '\ud800'),
  );
  const wild = fc.record(
    {
      workEmail: fc.option(anyText),
      linkedinUrl: fc.option(anyText),
      firstName: fc.option(anyText),
      companyDomain: fc.option(anyText),
      additionalFields: fc.option(
        fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }),
      ),
      customFields: fc.option(
        fc.dictionary(anyText, fc.oneof(anyText, fc.double(), fc.array(fc.integer(), { maxLength: 2 })), {
          maxKeys: 3,
        }),
      ),
    },
    { requiredKeys: [] },
  );
  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for
  const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  it('never throws an unexpected error, and never lets an invalid item reach graph8', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wild, { minLength: 1, maxLength: 5 }), async (contacts) => {
        upstream.calls.length = 0;
        const result = await gateway.execute(AssertContactsDocument, { listId: 1, contacts: contacts as never });
        expect(result.status).toBeLessThan(500);
        for (const error of result.errors ?? []) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        if (result.errors) expect(upstream.calls).toHaveLength(0);
        for (const call of upstream.calls) {
          for (const sent of (call.body as { contacts: WireFields[] }).contacts) {
            const email = sent.work_email;
            const linkedin = sent.linkedin_url;
            expect(typeof email === 'string' || typeof linkedin === 'string').toBe(true);
            if (typeof email === 'string') expect(email.trim()).toMatch(EMAIL);
            if (typeof linkedin === 'string') expect(new URL(linkedin.trim()).hostname).toMatch(/(^|\.)linkedin\.com$/);
            expect(JSON.stringify(sent)).not.toMatch(/__proto__|"constructor"|"prototype"/);
            for (const value of Object.values(sent)) {
              if (typeof value === 'string') {
                expect(value).not.toMatch(CONTROL);
                expect(value).not.toMatch(LONE_SURROGATE);
              }
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
