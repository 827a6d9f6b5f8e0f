import { afterEach, describe, expect, it } from 'vitest';
import { AssertCompaniesDocument, AssertContactsDocument } from '../../examples/generated/graphql.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import {
  createdBatch,
  type RecordingUpstream,
  type ScriptedAnswer,
  startRecordingUpstream,
} from '../helpers/recording-upstream.js';

let upstream: RecordingUpstream;
let gateway: Harness;

async function start(script: Parameters<typeof startRecordingUpstream>[0], concurrency = 4, maxAttempts = 4) {
  upstream = await startRecordingUpstream(script);
  gateway = createHarness({ upstreamUrl: upstream.url, upstreamConcurrency: concurrency, maxAttempts });
}
afterEach(async () => {
  await gateway.close();
  await upstream.close();
});

const contacts = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ workEmail: `c${from + i}@acme.com` }));
const sentEmails = (body: unknown) =>
  (body as { contacts: Array<{ work_email: string }> }).contacts.map((c) => c.work_email);

describe('assertContacts / assertCompanies', () => {
  it('sends 250 contacts in three calls of 100, 100 and 50, in input order', async () => {
    await start(createdBatch);
    const input = contacts(250);
    const result = await gateway.execute(AssertContactsDocument, { listId: 7, contacts: input });
    expect(result.data?.assertContacts).toEqual({
      total: 250,
      created: 250,
      updated: 0,
      failed: 0,
      deduplicated: 0,
      chunks: 3,
      errors: [],
    });
    const calls = [...upstream.calls].sort((a, b) =>
      sentEmails(a.body)[0]!.localeCompare(sentEmails(b.body)[0]!, 'en', { numeric: true }),
    );
    expect(calls.map((call) => call.path)).toEqual(Array(3).fill('/contacts/assert/batch'));
    expect(calls.map((call) => (call.body as { list_id: number }).list_id)).toEqual([7, 7, 7]);
    expect(calls.flatMap((call) => sentEmails(call.body))).toEqual(input.map((c) => c.workEmail));
    expect(calls.map((call) => sentEmails(call.body).length)).toEqual([100, 100, 50]);
  });

  it('keeps at most UPSTREAM_CONCURRENCY calls in flight, and more than one when allowed', async () => {
    await start((call) => ({ ...createdBatch(call), delayMs: 40 }), 3);
    const result = await gateway.execute(AssertContactsDocument, { listId: 7, contacts: contacts(1000) });
    expect(result.data?.assertContacts.chunks).toBe(10);
    expect(upstream.maxInFlight()).toBe(3);
  });

  it('folds items with the same normalised key, later fields winning, counted as deduplicated and updated', async () => {
    await start(createdBatch);
    const result = await gateway.execute(AssertContactsDocument, {
      listId: 7,
      contacts: [
        { workEmail: 'Jane@Acme.com', firstName: 'J', jobTitle: 'VP', customFields: { a: 1, b: 1 } },
        { linkedinUrl: 'https://www.linkedin.com/in/Bob/' },
        { workEmail: ' jane@acme.com ', firstName: 'Jane', customFields: { b: 2 } },
        { linkedinUrl: 'http://linkedin.com/in/bob?trk=x', firstName: 'Bob' },
      ],
    });
    expect(result.data?.assertContacts).toMatchObject({
      total: 4,
      created: 2,
      updated: 2,
      failed: 0,
      deduplicated: 2,
      chunks: 1,
    });
    expect(upstream.calls).toHaveLength(1);
    expect((upstream.calls[0]?.body as { contacts: unknown[] } | undefined)?.contacts).toEqual([
      { work_email: ' jane@acme.com ', first_name: 'Jane', job_title: 'VP', custom_fields: { a: 1, b: 2 } },
      { linkedin_url: 'http://linkedin.com/in/bob?trk=x', first_name: 'Bob' },
    ]);
  });

  it("never has two calls in flight carrying the same key (an e-mail and the same person's LinkedIn URL)", async () => {
    const inFlightKeys = new Set<string>();
    let clash = false;
    await start(async (call) => {
      const keys = (call.body as { contacts: Array<{ work_email?: string; linkedin_url?: string }> }).contacts.flatMap(
        (c) => [c.work_email, c.linkedin_url].filter((key): key is string => key !== undefined),
      );
      for (const key of keys) {
        if (inFlightKeys.has(key)) clash = true;
        inFlightKeys.add(key);
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
      for (const key of keys) inFlightKeys.delete(key);
      return createdBatch(call);
    }, 4);
    const input: Array<{ workEmail?: string; linkedinUrl?: string }> = contacts(400);
    input[0] = { workEmail: 'shared@acme.com', linkedinUrl: 'https://linkedin.com/in/shared' };
    input[150] = { linkedinUrl: 'https://linkedin.com/in/shared' };
    input[250] = { linkedinUrl: 'https://linkedin.com/in/shared' };
    const result = await gateway.execute(AssertContactsDocument, { listId: 7, contacts: input });
    expect(result.data?.assertContacts).toMatchObject({ total: 400, failed: 0, deduplicated: 1, chunks: 4 });
    expect(clash).toBe(false);
    expect(upstream.maxInFlight()).toBeGreaterThan(1);
  });

  it('maps per-item upstream errors to input indexes, folded items included; an unplaced error is index -1', async () => {
    await start((call) => {
      const items = (call.body as { companies: unknown[] }).companies;
      const first = (items[0] as { domain: string }).domain;
      const errors =
        first === 'a0.com'
          ? [{ index: 1, message: 'Invalid domain', code: 'invalid' }, { message: 'Something else' }]
          : [];
      return { body: { data: { total: items.length, created: items.length - errors.length, updated: 0, errors } } };
    });
    const companies = Array.from({ length: 150 }, (_, i) => ({ domain: `a${i}.com` }));
    companies.push({ domain: 'A1.com' });
    const result = await gateway.execute(AssertCompaniesDocument, { listId: 7, companies });
    const payload = result.data?.assertCompanies;
    expect(payload).toMatchObject({ total: 151, failed: 3, deduplicated: 1, chunks: 2 });
    expect(payload!.created + payload!.updated + payload!.failed).toBe(151);
    expect(payload?.errors).toEqual([
      {
        index: 1,
        code: 'REJECTED',
        message: 'Invalid domain',
        detail: { index: 1, message: 'Invalid domain', code: 'invalid' },
      },
      {
        index: 150,
        code: 'REJECTED',
        message: 'Invalid domain',
        detail: { index: 1, message: 'Invalid domain', code: 'invalid' },
      },
      { index: -1, code: 'REJECTED', message: 'Something else', detail: { message: 'Something else' } },
    ]);
  });

  it('a call that fails after its retries fails only its items; the other calls still run', async () => {
    await start(
      (call) => {
        const emails = sentEmails(call.body);
        if (emails[0] === 'c100@acme.com')
          return { status: 503, body: { detail: 'down' }, headers: { 'x-request-id': 'r-1' } };
        return createdBatch(call);
      },
      2,
      2,
    );
    const result = await gateway.execute(AssertContactsDocument, { listId: 7, contacts: contacts(250) });
    const payload = result.data?.assertContacts;
    expect(payload).toMatchObject({ total: 250, created: 150, updated: 0, failed: 100, chunks: 3 });
    expect(payload?.errors).toHaveLength(100);
    expect(payload?.errors[0]).toEqual({
      index: 100,
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'down',
      detail: { detail: 'down' },
    });
    expect(payload?.errors.map((error) => error.index)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    expect(upstream.calls).toHaveLength(4);
  });

  const chunkFailures: Array<[string, ScriptedAnswer, string]> = [
    ['422', { status: 422, body: { detail: [{ loc: ['body', 'contacts'], msg: 'bad' }] } }, 'REJECTED'],
    [
      '429 past the budget',
      { status: 429, body: { detail: 'slow down' }, headers: { 'retry-after': '60' } },
      'RATE_LIMITED',
    ],
    ['timeout', { delayMs: 400, body: {} }, 'TIMEOUT'],
  ];
  for (const [name, answer, code] of chunkFailures) {
    it(`a chunk failing with ${name} gives its items ${code}`, async () => {
      upstream = await startRecordingUpstream(() => answer);
      gateway = createHarness({ upstreamUrl: upstream.url, maxAttempts: 1, timeoutMs: 150 });
      const result = await gateway.execute(AssertContactsDocument, { listId: 7, contacts: contacts(3) });
      expect(result.data?.assertContacts.failed).toBe(3);
      expect(result.data?.assertContacts.errors.map((error) => [error.index, error.code])).toEqual([
        [0, code],
        [1, code],
        [2, code],
      ]);
    });
  }

  it('401 fails the whole mutation and stops the calls not yet sent', async () => {
    await start(() => ({ status: 401, body: { detail: 'bad key' }, delayMs: 20 }), 2);
    const result = await gateway.execute(AssertContactsDocument, { listId: 7, contacts: contacts(1000) });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', status: 401 });
    expect(upstream.calls.length).toBeLessThanOrEqual(2);
  });

  it('403 fails the whole mutation', async () => {
    await start(() => ({ status: 403, body: { detail: 'wrong organisation' } }), 2);
    const result = await gateway.execute(AssertCompaniesDocument, { listId: 7, companies: [{ domain: 'a.com' }] });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', status: 403 });
  });

  it('counts stay whole when the upstream reports fewer created than written', async () => {
    await start(() => ({ body: { data: { total: 3, created: 1, updated: 1, errors: [] } } }));
    const result = await gateway.execute(AssertContactsDocument, { listId: 7, contacts: contacts(3) });
    expect(result.data?.assertContacts).toMatchObject({ total: 3, created: 1, updated: 2, failed: 0 });
  });
});
