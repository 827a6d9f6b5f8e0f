import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AssertCompanyDocument,
  AssertContactDocument,
  AssertDealDocument,
  GatewayDocument,
  LinkContactToDealDocument,
} from '../../examples/generated/graphql.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';

let upstream: RecordingUpstream;
let gateway: Harness;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = createHarness({ upstreamUrl: upstream.url });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.calls.length = 0;
});

describe('each mutation sends its exact upstream request and maps the answer', () => {
  it('assertContact: PUT /contacts/assert with snake_case fields, nulls left out, extras passed through', async () => {
    upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
    const result = await gateway.execute(AssertContactDocument, {
      listId: 5,
      contact: {
        workEmail: 'jane@acme.com',
        linkedinUrl: null,
        firstName: 'Jane',
        lastName: 'Doe',
        jobTitle: 'VP of Sales',
        companyDomain: 'acme.com',
        personalEmails: ['jane@home.example'],
        directPhone: '+1 555 0100',
        mobilePhone: '+1 555 0101',
        jobDepartment: 'Sales',
        seniorityLevel: 'VP',
        city: 'Boston',
        state: 'MA',
        country: 'US',
        customFields: { 'Lead Score': 42, tags: ['a', 'b'] },
        createMissingFields: true,
        additionalFields: { twitter_handle: '@jane', is_vip: false, note: null },
      },
    });
    expect(result).toEqual({ status: 200, data: { assertContact: { action: 'CREATED', count: 1 } } });
    expect(upstream.calls).toHaveLength(1);
    const [call] = upstream.calls;
    expect(call?.method).toBe('PUT');
    expect(call?.path).toBe('/contacts/assert');
    expect(call?.headers.authorization).toBe('Bearer test-key');
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.body).toEqual({
      list_id: 5,
      work_email: 'jane@acme.com',
      first_name: 'Jane',
      last_name: 'Doe',
      job_title: 'VP of Sales',
      company_domain: 'acme.com',
      personal_emails: ['jane@home.example'],
      direct_phone: '+1 555 0100',
      mobile_phone: '+1 555 0101',
      job_department: 'Sales',
      seniority_level: 'VP',
      city: 'Boston',
      state: 'MA',
      country: 'US',
      custom_fields: { 'Lead Score': 42, tags: ['a', 'b'] },
      create_missing_fields: true,
      twitter_handle: '@jane',
      is_vip: false,
      note: null,
    });
  });

  it('a caller-supplied x-request-id is passed upstream', async () => {
    upstream.script = () => ({ body: { data: { action: 'updated', count: 1 } } });
    const result = await gateway.execute(
      AssertContactDocument,
      { listId: 5, contact: { linkedinUrl: 'https://www.linkedin.com/in/jane' } },
      { authorization: 'Bearer test-key', 'x-request-id': 'trace-123' },
    );
    expect(result.data).toEqual({ assertContact: { action: 'UPDATED', count: 1 } });
    expect(upstream.calls[0]?.headers['x-request-id']).toBe('trace-123');
    expect(upstream.calls[0]?.body).toEqual({ list_id: 5, linkedin_url: 'https://www.linkedin.com/in/jane' });
  });

  it('assertCompany: PUT /companies/assert', async () => {
    upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
    const result = await gateway.execute(AssertCompanyDocument, {
      listId: 5,
      company: {
        domain: 'acme.com',
        name: 'Acme Inc',
        industry: 'Technology',
        employeeCount: 250,
        additionalFields: { founded_year: 1999 },
      },
    });
    expect(result.data).toEqual({ assertCompany: { action: 'CREATED', count: 1 } });
    expect(upstream.calls.map((call) => [call.path, call.body])).toEqual([
      [
        '/companies/assert',
        {
          list_id: 5,
          domain: 'acme.com',
          name: 'Acme Inc',
          industry: 'Technology',
          employee_count: 250,
          founded_year: 1999,
        },
      ],
    ]);
  });

  it('assertDeal: PUT /deals/assert, no list_id', async () => {
    upstream.script = () => ({ body: { data: { action: 'created', deal_id: 'deal-new-abc' } } });
    const result = await gateway.execute(AssertDealDocument, {
      deal: {
        name: 'Enterprise Deal',
        amount: 50000,
        companyId: 'comp-123',
        currency: 'USD',
        stageId: 'stage-1',
        pipelineId: 'pipe-1',
        description: 'Big one',
        closeDate: '2026-12-31',
      },
    });
    expect(result.data).toEqual({ assertDeal: { action: 'CREATED', dealId: 'deal-new-abc' } });
    expect(upstream.calls.map((call) => [call.path, call.body])).toEqual([
      [
        '/deals/assert',
        {
          name: 'Enterprise Deal',
          amount: 50000,
          company_id: 'comp-123',
          currency: 'USD',
          stage_id: 'stage-1',
          pipeline_id: 'pipe-1',
          description: 'Big one',
          close_date: '2026-12-31',
        },
      ],
    ]);
  });

  it('linkContactToDeal: PUT /contacts/{id}/deals/assert; an existing link answers EXISTS', async () => {
    upstream.script = () => ({ body: { data: { action: 'exists', deal_id: 'deal-abc', contact_id: 12345 } } });
    const result = await gateway.execute(LinkContactToDealDocument, { contactId: '12345', dealId: 'deal-abc' });
    expect(result.data).toEqual({ linkContactToDeal: { action: 'EXISTS', contactId: '12345', dealId: 'deal-abc' } });
    expect(upstream.calls.map((call) => [call.path, call.body])).toEqual([
      ['/contacts/12345/deals/assert', { deal_id: 'deal-abc' }],
    ]);
  });

  it('Query.gateway needs no key and sends nothing', async () => {
    const result = await gateway.execute(GatewayDocument, {}, {});
    expect(result.data).toEqual({
      gateway: { version: 'test', upstream: 'LIVE', chunkSize: 100, maxItemsPerMutation: 10_000 },
    });
    expect(upstream.calls).toHaveLength(0);
  });
});

describe('upstream failures become coded GraphQL errors', () => {
  const cases: Array<[string, number, unknown, Record<string, unknown>]> = [
    [
      '401',
      401,
      { error: { code: 'unauthorized', message: 'Invalid API key', request_id: 'body-req' } },
      { code: 'UNAUTHENTICATED', status: 401, upstreamRequestId: 'up-req' },
    ],
    ['403', 403, { detail: 'Missing scope' }, { code: 'FORBIDDEN', status: 403, upstreamRequestId: 'up-req' }],
    ['404', 404, { detail: 'Deal not found' }, { code: 'NOT_FOUND', status: 404, upstreamRequestId: 'up-req' }],
    [
      '422 with field errors',
      422,
      { detail: [{ loc: ['body', 'work_email'], msg: 'value is not a valid email', type: 'value_error.email' }] },
      {
        code: 'UPSTREAM_REJECTED',
        status: 422,
        upstreamMessage: 'work_email: value is not a valid email',
        fieldErrors: [{ field: 'work_email', message: 'value is not a valid email', type: 'value_error.email' }],
        upstreamRequestId: 'up-req',
      },
    ],
    [
      '402',
      402,
      { detail: 'Out of credits' },
      { code: 'UPSTREAM_REJECTED', status: 402, upstreamMessage: 'Out of credits', upstreamRequestId: 'up-req' },
    ],
    [
      '409',
      409,
      { error: { code: 'conflict', message: 'Conflict', field: 'work_email' } },
      {
        code: 'UPSTREAM_REJECTED',
        status: 409,
        upstreamMessage: 'Conflict',
        fieldErrors: [{ field: 'work_email', message: 'Conflict' }],
        upstreamRequestId: 'up-req',
      },
    ],
  ];
  for (const [name, status, body, extensions] of cases) {
    it(`${name} -> ${String(extensions.code)}, sent once`, async () => {
      upstream.script = () => ({ status, body, headers: { 'x-request-id': 'up-req' } });
      const result = await gateway.execute(AssertContactDocument, {
        listId: 5,
        contact: { workEmail: 'jane@acme.com' },
      });
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions).toEqual(extensions);
      expect(upstream.calls).toHaveLength(1);
    });
  }

  it('5xx after every retry -> UPSTREAM_UNAVAILABLE with the status; 4 attempts', async () => {
    upstream.script = () => ({
      status: 502,
      body: '<html><body>Bad gateway</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', status: 502 });
    expect(result.errors?.[0]?.message).toBe('graph8 answered HTTP 502 without a readable message');
    expect(upstream.calls).toHaveLength(4);
  });

  it('429 with a Retry-After beyond 10 s fails at once with RATE_LIMITED and retryAfterSeconds', async () => {
    upstream.script = () => ({
      status: 429,
      body: { detail: 'Rate limit exceeded. Please slow down.' },
      headers: { 'retry-after': '30' },
    });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 30 });
    expect(result.errors?.[0]?.message).toBe('Rate limit exceeded. Please slow down.');
    expect(upstream.calls).toHaveLength(1);
  });

  it('408 that outlasts the retries -> UPSTREAM_TIMEOUT', async () => {
    upstream.script = () => ({ status: 408, body: { detail: 'Request timeout' } });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', status: 408 });
    expect(upstream.calls).toHaveLength(4);
  });

  it('an unreadable 200 answer is retried, then UPSTREAM_UNAVAILABLE', async () => {
    upstream.script = () => ({ status: 200, body: '{"data": {"act' });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', status: 200 });
    expect(upstream.calls).toHaveLength(4);
  });

  it('a reset connection is retried and then succeeds', async () => {
    upstream.script = (_call, n) => (n === 1 ? { reset: true } : { body: { data: { action: 'created', count: 1 } } });
    const result = await gateway.execute(AssertContactDocument, { listId: 5, contact: { workEmail: 'jane@acme.com' } });
    expect(result.data).toEqual({ assertContact: { action: 'CREATED', count: 1 } });
    expect(upstream.calls).toHaveLength(2);
  });

  it('an unexpected failure is masked, with no internals', async () => {
    upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
    const result = await gateway.execute(
      'mutation { assertContact(listId: 5, contact: {workEmail: "a@b.co"}) { action count } }',
      undefined,
      {
        authorization: 'Bearer test-key',
      },
    );
    expect(result.data).toEqual({ assertContact: { action: 'CREATED', count: 1 } });
  });
});

describe('masking', () => {
  it('an unexpected failure answers "Unexpected error." with no message, stack or internals, even in development', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    const broken = createHarness({
      upstreamUrl: upstream.url,
      app: {
        extraPlugins: [
          {
            onExecute() {
              throw new Error('database password is hunter2');
            },
          },
        ],
      },
    });
    try {
      const result = await broken.execute(GatewayDocument, {});
      expect(JSON.stringify(result)).not.toMatch(/hunter2|stack|at /);
      expect(result.errors?.[0]?.message).toBe('Unexpected error.');
    } finally {
      process.env.NODE_ENV = previous;
      await broken.close();
    }
  });
});
