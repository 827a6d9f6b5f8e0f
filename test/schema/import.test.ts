import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayKeyPolicy } from '../../src/auth.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import { type RecordedCall, type Script, startRecordingUpstream } from '../helpers/recording-upstream.js';

/**
 * Imports through the GraphQL surface, on the embedded engine (in this
 * process); test/imports/ runs the Redis engine. Every contract rule of
 * imports.md that does not need Redis has a test here.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Answers a batch call, failing the items whose e-mail starts with "bad". */
const batchAnswer: Script = (call) => {
  const items =
    (call.body as { contacts?: Array<{ work_email?: string }>; companies?: unknown[] }).contacts ??
    ((call.body as { companies: unknown[] }).companies as Array<{ work_email?: string }>);
  const errors = items.flatMap((item, index) =>
    item.work_email?.startsWith('bad') ? [{ index, message: `${item.work_email} bounced` }] : [],
  );
  return { body: { data: { total: items.length, created: items.length - errors.length, updated: 0, errors } } };
};

async function start(script: Script = batchAnswer, env: Record<string, string> = {}, options = {}) {
  const upstream = await startRecordingUpstream(script);
  const gateway = createHarness({ upstreamUrl: upstream.url, env: { IMPORT_CONCURRENCY: '2', ...env }, ...options });
  cleanups.push(
    () => upstream.close(),
    () => gateway.close(),
  );
  return { upstream, gateway };
}

const IMPORT_FIELDS = `id kind listId state total processed created updated failed skipped deduplicated chunks chunksDone
  errorReportUrl estimatedSecondsLeft createdAt startedAt finishedAt`;

const rows = (count: number, from = 0, prefix = 'c') =>
  Array.from({ length: count }, (_, i) => ({ workEmail: `${prefix}${from + i}@acme.com` }));

async function importContacts(
  gateway: Harness,
  contacts: unknown[],
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  const result = await gateway.execute(
    `mutation($contacts: [ContactInput!]!, $key: String) { importContacts(listId: 5, contacts: $contacts, idempotencyKey: $key) { ${IMPORT_FIELDS} } }`,
    { contacts, ...extra },
    headers,
  );
  return result;
}

async function readImport(gateway: Harness, id: string, headers?: Record<string, string>) {
  const result = await gateway.execute(`query($id: ID!) { import(id: $id) { ${IMPORT_FIELDS} } }`, { id }, headers);
  return result.data?.import;
}

/** Polls until the import has ended (its finishedAt is set). */
async function ended(gateway: Harness, id: string, headers?: Record<string, string>) {
  for (let tries = 0; tries < 400; tries++) {
    const record = await readImport(gateway, id, headers);
    if (record?.finishedAt) return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`import ${id} did not end`);
}

async function mutate(
  gateway: Harness,
  query: string,
  variables: Record<string, unknown>,
  headers?: Record<string, string>,
) {
  return gateway.execute(query, variables, headers);
}

const CREATE = `mutation($kind: ImportKind!, $key: String) { createImport(kind: $kind, listId: 9, idempotencyKey: $key) { ${IMPORT_FIELDS} } }`;
const APPEND = `mutation($id: ID!, $contacts: [ContactInput!]!, $key: String) { appendContacts(importId: $id, contacts: $contacts, idempotencyKey: $key) { ${IMPORT_FIELDS} } }`;
const START = `mutation($id: ID!) { startImport(importId: $id) { ${IMPORT_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelImport(importId: $id) { ${IMPORT_FIELDS} } }`;
const ERRORS = `query($id: ID!, $first: Int, $after: String) { import(id: $id) { errors(first: $first, after: $after) { items { index code message detail } nextCursor } } }`;

const contactsSent = (calls: readonly RecordedCall[]) =>
  calls.flatMap((call) => (call.body as { contacts: Array<{ work_email: string }> }).contacts.map((c) => c.work_email));

describe('importContacts', () => {
  it('checks and stores the rows, answers QUEUED at once, and writes them in the background', async () => {
    const { upstream, gateway } = await start();
    const contacts = [...rows(250), { workEmail: 'C3@ACME.com', firstName: 'Again' }];
    const result = await importContacts(gateway, contacts);
    expect(result.errors).toBeUndefined();
    const answered = result.data?.importContacts;
    expect(answered).toMatchObject({
      kind: 'CONTACTS',
      listId: 5,
      state: 'QUEUED',
      total: 251,
      deduplicated: 1,
      chunks: 3,
      finishedAt: null,
    });
    expect(answered.id).toMatch(/^imp_[A-Za-z0-9_-]{22}$/);
    const done = await ended(gateway, answered.id);
    expect(done).toMatchObject({
      state: 'SUCCEEDED',
      total: 251,
      processed: 251,
      created: 250,
      updated: 1,
      failed: 0,
      skipped: 0,
      chunks: 3,
      chunksDone: 3,
      errorReportUrl: null,
      estimatedSecondsLeft: 0,
    });
    expect(new Date(done.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(done.createdAt).getTime());
    expect(upstream.calls.map((call) => call.path)).toEqual(Array(3).fill('/contacts/assert/batch'));
    expect(upstream.calls.every((call) => (call.body as { list_id: number }).list_id === 5)).toBe(true);
    // The folded row is sent as the later one spelled it.
    const expected = rows(250).map((row) => (row.workEmail === 'c3@acme.com' ? 'C3@ACME.com' : row.workEmail));
    expect(contactsSent(upstream.calls).sort()).toEqual(expected.sort());
    const folded = upstream.calls
      .flatMap((call) => (call.body as { contacts: Array<Record<string, string>> }).contacts)
      .find((contact) => contact.work_email === 'C3@ACME.com');
    expect(folded).toEqual({ work_email: 'C3@ACME.com', first_name: 'Again' });
  });

  it('refuses rows that break a rule, with every issue and nothing kept', async () => {
    const { upstream, gateway } = await start();
    const result = await importContacts(gateway, [
      { workEmail: 'ok@acme.com' },
      { workEmail: 'nope' },
      { firstName: 'x' },
    ]);
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [
        { path: ['contacts', 1, 'workEmail'], message: 'must be an e-mail address such as jane@acme.com' },
        { path: ['contacts', 2], message: 'give workEmail or linkedinUrl: the contact is matched by one of them' },
      ],
    });
    const listed = await gateway.execute('{ imports { edges { node { id } } } }');
    expect(listed.data?.imports.edges).toEqual([]);
    expect(upstream.calls).toHaveLength(0);
  });

  it('counts every row once under random per-item failures', async () => {
    const { gateway } = await start();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 260 }),
        async (spec) => {
          const contacts = spec.map(([bad, n]) => ({ workEmail: `${bad ? 'bad' : 'ok'}${n}@acme.com` }));
          const created = await importContacts(gateway, contacts);
          const done = await ended(gateway, created.data?.importContacts.id);
          expect(done.total).toBe(contacts.length);
          expect(done.created + done.updated + done.failed).toBe(contacts.length);
          expect(done.processed).toBe(contacts.length);
          const errors = await gateway.execute(ERRORS, { id: done.id, first: 1000 });
          const items = errors.data?.import.errors.items as Array<{ index: number; code: string }>;
          expect(items).toHaveLength(done.failed);
          expect(items.map((item) => item.index)).toEqual(
            contacts.flatMap((contact, index) => (contact.workEmail.startsWith('bad') ? [index] : [])),
          );
          expect(done.state).toBe(
            done.failed === 0 ? 'SUCCEEDED' : done.failed === contacts.length ? 'FAILED' : 'PARTIAL',
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('createImport, append*, startImport', () => {
  it('numbers rows over every append in the order accepted, and folds a later append into an earlier one', async () => {
    const { upstream, gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    expect(created).toMatchObject({ state: 'OPEN', kind: 'CONTACTS', listId: 9, total: 0, chunks: 0 });
    await mutate(gateway, APPEND, {
      id: created.id,
      contacts: [{ workEmail: 'a@acme.com' }, { workEmail: 'bad1@acme.com' }],
    });
    const second = await mutate(gateway, APPEND, {
      id: created.id,
      contacts: [{ workEmail: 'bad2@acme.com' }, { workEmail: 'A@acme.com', firstName: 'Later' }],
    });
    expect(second.data?.appendContacts).toMatchObject({ state: 'OPEN', total: 4, deduplicated: 1 });
    expect(upstream.calls).toHaveLength(0);
    const started = (await mutate(gateway, START, { id: created.id })).data?.startImport;
    expect(started).toMatchObject({ state: 'QUEUED', total: 4, deduplicated: 1, chunks: 1 });
    const done = await ended(gateway, created.id);
    expect(done).toMatchObject({ state: 'PARTIAL', created: 1, updated: 1, failed: 2, processed: 4 });
    const errors = await gateway.execute(ERRORS, { id: created.id });
    expect(errors.data?.import.errors).toEqual({
      items: [
        {
          index: 1,
          code: 'REJECTED',
          message: 'bad1@acme.com bounced',
          detail: { index: 1, message: 'bad1@acme.com bounced' },
        },
        {
          index: 2,
          code: 'REJECTED',
          message: 'bad2@acme.com bounced',
          detail: { index: 2, message: 'bad2@acme.com bounced' },
        },
      ],
      nextCursor: null,
    });
    expect(upstream.calls[0]?.body).toEqual({
      list_id: 9,
      contacts: [
        { work_email: 'A@acme.com', first_name: 'Later' },
        { work_email: 'bad1@acme.com' },
        { work_email: 'bad2@acme.com' },
      ],
    });
  });

  it('only an OPEN import takes rows; start and cancel of one that moved on answer it as it is', async () => {
    const { gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    const wrongKind = await gateway.execute(
      'mutation($id: ID!) { appendCompanies(importId: $id, companies: [{domain: "acme.com"}]) { id } }',
      { id: created.id },
    );
    expect(wrongKind.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [{ path: ['importId'], message: expect.stringContaining('contacts') }],
    });
    await mutate(gateway, APPEND, { id: created.id, contacts: rows(3) });
    await mutate(gateway, START, { id: created.id });
    const late = await mutate(gateway, APPEND, { id: created.id, contacts: rows(1, 10) });
    expect(late.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [{ path: ['importId'], message: expect.stringMatching(/only an OPEN import takes rows/) }],
    });
    const done = await ended(gateway, created.id);
    expect(done.total).toBe(3);
    expect((await mutate(gateway, START, { id: created.id })).data?.startImport).toEqual(done);
    expect((await mutate(gateway, CANCEL, { id: created.id })).data?.cancelImport).toEqual(done);
  });

  it('an import started with no rows ends at once as SUCCEEDED with total 0', async () => {
    const { upstream, gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'COMPANIES' })).data?.createImport;
    const started = (await mutate(gateway, START, { id: created.id })).data?.startImport;
    expect(started).toMatchObject({ state: 'SUCCEEDED', total: 0, processed: 0, chunks: 0 });
    expect(started.finishedAt).not.toBeNull();
    expect(upstream.calls).toHaveLength(0);
  });

  it('MAX_ROWS_PER_IMPORT bounds the rows of all appends together; nothing of a refused append is kept', async () => {
    const { gateway } = await start(batchAnswer, { MAX_ROWS_PER_IMPORT: '5' });
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    await mutate(gateway, APPEND, { id: created.id, contacts: rows(3) });
    const over = await mutate(gateway, APPEND, { id: created.id, contacts: rows(3, 10) });
    expect(over.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await readImport(gateway, created.id)).total).toBe(3);
  });
});

describe('idempotency keys', () => {
  it('the same key and arguments give the same import back, nothing added or sent twice; other arguments are refused', async () => {
    const { upstream, gateway } = await start();
    const first = await importContacts(gateway, rows(3), { key: 'upload-1' });
    const again = await importContacts(gateway, rows(3), { key: 'upload-1' });
    expect(again.data?.importContacts.id).toBe(first.data?.importContacts.id);
    await ended(gateway, first.data?.importContacts.id);
    expect(upstream.calls).toHaveLength(1);
    const other = await importContacts(gateway, rows(4), { key: 'upload-1' });
    expect(other.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [{ path: ['idempotencyKey'], message: 'was already used with other arguments' }],
    });
    const bad = await importContacts(gateway, rows(1), { key: 'has space' });
    expect(bad.errors?.[0]?.extensions?.issues?.[0]?.path).toEqual(['idempotencyKey']);
  });

  it('an append retried with its key adds nothing the second time', async () => {
    const { gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS', key: 'create-1' })).data?.createImport;
    const sameCreate = (await mutate(gateway, CREATE, { kind: 'CONTACTS', key: 'create-1' })).data?.createImport;
    expect(sameCreate.id).toBe(created.id);
    await mutate(gateway, APPEND, { id: created.id, contacts: rows(2), key: 'part-1' });
    const retried = await mutate(gateway, APPEND, { id: created.id, contacts: rows(2), key: 'part-1' });
    expect(retried.data?.appendContacts.total).toBe(2);
  });
});

describe('cancelImport', () => {
  it('answers CANCELLED at once; calls in flight are counted, the rest skipped; finishedAt once the last is counted', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { upstream, gateway } = await start(async (call, n) => {
      await held;
      return batchAnswer(call, n);
    });
    const created = (await importContacts(gateway, rows(1000))).data?.importContacts;
    while (upstream.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const cancelled = (await mutate(gateway, CANCEL, { id: created.id })).data?.cancelImport;
    expect(cancelled).toMatchObject({ state: 'CANCELLED', skipped: 800, processed: 800, finishedAt: null });
    release();
    const done = await ended(gateway, created.id);
    expect(done).toMatchObject({ state: 'CANCELLED', created: 200, skipped: 800, processed: 1000, chunksDone: 10 });
    expect(upstream.calls).toHaveLength(2);
    expect((await mutate(gateway, CANCEL, { id: created.id })).data?.cancelImport).toEqual(done);
  });

  it('an OPEN import cancelled skips every row it holds', async () => {
    const { gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    await mutate(gateway, APPEND, { id: created.id, contacts: rows(7) });
    const cancelled = (await mutate(gateway, CANCEL, { id: created.id })).data?.cancelImport;
    expect(cancelled).toMatchObject({ state: 'CANCELLED', total: 7, skipped: 7, processed: 7 });
    expect(cancelled.finishedAt).not.toBeNull();
  });
});

describe('a refused key', () => {
  it('401 stops the import: the rows not yet sent fail with NOT_SENT, the sent ones with REJECTED', async () => {
    const { upstream, gateway } = await start(() => ({ status: 401, body: { detail: 'bad key' } }), {
      IMPORT_CONCURRENCY: '1',
    });
    const created = (await importContacts(gateway, rows(300))).data?.importContacts;
    const done = await ended(gateway, created.id);
    expect(done).toMatchObject({ state: 'FAILED', failed: 300, created: 0, processed: 300 });
    expect(upstream.calls).toHaveLength(1);
    const errors = (await gateway.execute(ERRORS, { id: created.id, first: 1000 })).data?.import.errors.items;
    expect(errors.filter((error: { code: string }) => error.code === 'REJECTED')).toHaveLength(100);
    expect(errors.filter((error: { code: string }) => error.code === 'NOT_SENT')).toHaveLength(200);
  });
});

describe('whose import it is', () => {
  it('another caller gets null from import, never sees it in imports, and NOT_FOUND from every mutation that names it', async () => {
    const { gateway } = await start(
      batchAnswer,
      {},
      { access: gatewayKeyPolicy('sk-gateway', ['alice', 'bob'], false) },
    );
    const alice = { authorization: 'Bearer alice' };
    const bob = { authorization: 'Bearer bob' };
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' }, alice)).data?.createImport;
    expect(await readImport(gateway, created.id, bob)).toBeNull();
    expect((await gateway.execute('{ imports { edges { node { id } } } }', {}, bob)).data?.imports.edges).toEqual([]);
    for (const [query, variables] of [
      [APPEND, { id: created.id, contacts: rows(1) }],
      [START, { id: created.id }],
      [CANCEL, { id: created.id }],
    ] as const) {
      const refused = await mutate(gateway, query, variables, bob);
      expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect((await readImport(gateway, created.id, alice)).state).toBe('OPEN');
    const anonymous = await gateway.execute('{ imports { edges { node { id } } } }', {}, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("chunks go with the gateway's own key in gateway-key mode, and with the creator's key in pass-through", async () => {
    const keyed = await start(batchAnswer, {}, { access: gatewayKeyPolicy('sk-gateway', ['alice'], false) });
    const first = (await importContacts(keyed.gateway, rows(1), {}, { authorization: 'Bearer alice' })).data
      ?.importContacts;
    await ended(keyed.gateway, first.id, { authorization: 'Bearer alice' });
    expect(keyed.upstream.calls[0]?.headers.authorization).toBe('Bearer sk-gateway');
    const passing = await start();
    const second = (await importContacts(passing.gateway, rows(1), {}, { authorization: 'Bearer callers-own' })).data
      ?.importContacts;
    await ended(passing.gateway, second.id, { authorization: 'Bearer callers-own' });
    expect(passing.upstream.calls[0]?.headers.authorization).toBe('Bearer callers-own');
    expect(await readImport(passing.gateway, second.id, { authorization: 'Bearer someone-else' })).toBeNull();
  });
});

describe('watching an import', () => {
  it("imports pages the caller's imports newest first, filtered by state, as a Relay connection", async () => {
    const { gateway } = await start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport.id);
    await mutate(gateway, START, { id: ids[1] });
    const page = await gateway.execute(
      '{ imports(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(page.data?.imports.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([ids[4], ids[3]]);
    expect(page.data?.imports.pageInfo.hasNextPage).toBe(true);
    const next = await gateway.execute(
      'query($after: String) { imports(first: 2, after: $after) { edges { node { id } } } }',
      {
        after: page.data?.imports.pageInfo.endCursor,
      },
    );
    expect(next.data?.imports.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([ids[2], ids[1]]);
    const open = await gateway.execute('{ imports(first: 100, state: OPEN) { edges { node { id } } } }');
    expect(open.data?.imports.edges).toHaveLength(4);
    const tooMany = await gateway.execute('{ imports(first: 101) { edges { cursor } } }');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('errors pages in row order with opaque cursors; first is at most 1,000', async () => {
    const { gateway } = await start();
    const contacts = Array.from({ length: 30 }, (_, i) => ({
      workEmail: `${i % 3 === 0 ? 'bad' : 'ok'}${i}@acme.com`,
    }));
    const created = (await importContacts(gateway, contacts)).data?.importContacts;
    await ended(gateway, created.id);
    const indexes: number[] = [];
    let after: string | null = null;
    do {
      const page: { items: Array<{ index: number }>; nextCursor: string | null } = (
        await gateway.execute(ERRORS, { id: created.id, first: 4, after })
      ).data?.import.errors;
      indexes.push(...page.items.map((item) => item.index));
      after = page.nextCursor;
    } while (after !== null);
    expect(indexes).toEqual(Array.from({ length: 10 }, (_, i) => i * 3));
    const big = await gateway.execute(ERRORS, { id: created.id, first: 1000 });
    expect(big.errors).toBeUndefined();
    const tooBig = await gateway.execute(ERRORS, { id: created.id, first: 1001 });
    expect(tooBig.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('estimatedSecondsLeft comes from the pace of the last chunks', async () => {
    const { gateway } = await start(
      async (call, n) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return batchAnswer(call, n);
      },
      { IMPORT_CONCURRENCY: '1' },
    );
    const created = (await importContacts(gateway, rows(2000))).data?.importContacts;
    expect(created.estimatedSecondsLeft).toBeNull();
    let estimate: number | null = null;
    for (let tries = 0; tries < 100 && estimate === null; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      estimate = (await readImport(gateway, created.id)).estimatedSecondsLeft;
    }
    expect(estimate).toBeGreaterThan(0);
    expect(estimate).toBeLessThan(60);
  });
});

describe('the error report', () => {
  it('is a CSV of the failed rows as given, with a signed link that works without credentials, and nothing for others', async () => {
    const { gateway } = await start(batchAnswer, {}, { access: gatewayKeyPolicy('sk', ['alice', 'bob'], false) });
    const alice = { authorization: 'Bearer alice' };
    const contacts = [
      { workEmail: 'ok@acme.com' },
      {
        workEmail: 'bad@acme.com',
        firstName: 'Ann, "A"',
        personalEmails: ['x@y.co', 'z@y.co'],
        customFields: { tier: 1 },
      },
    ];
    const created = (await importContacts(gateway, contacts, {}, alice)).data?.importContacts;
    const done = await ended(gateway, created.id, alice);
    expect(done.errorReportUrl).toMatch(
      new RegExp(`^/imports/${created.id}/errors\\.csv\\?token=\\d+\\.[A-Za-z0-9_-]+$`),
    );
    const get = (path: string, headers: Record<string, string> = {}) =>
      gateway.app.fetch(`http://gateway.test${path}`, { headers });
    const signed = await get(done.errorReportUrl);
    expect(signed.status).toBe(200);
    expect(signed.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await signed.text()).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'index,code,message,workEmail,linkedinUrl,firstName,lastName,jobTitle,companyDomain,personalEmails,directPhone,mobilePhone,jobDepartment,seniorityLevel,city,state,country,customFields,createMissingFields,additionalFields',
    );
    expect(lines[1]).toBe(
      '1,REJECTED,bad@acme.com bounced,bad@acme.com,,"Ann, ""A""",,,,x@y.co;z@y.co,,,,,,,,"{""tier"":1}",,',
    );
    expect(lines).toHaveLength(2);
    const path = `/imports/${created.id}/errors.csv`;
    expect((await get(path, alice)).status).toBe(200);
    expect((await get(path)).status).toBe(404);
    expect((await get(path, { authorization: 'Bearer bob' })).status).toBe(404);
    expect((await get(`${path}?token=${done.errorReportUrl.split('token=')[1].replace(/.$/, 'x')}`)).status).toBe(404);
  });
});

describe('importProgress', () => {
  /** The events of a GraphQL-over-SSE stream, as they come, until it completes. */
  async function events(
    gateway: Harness,
    id: string,
    headers: Record<string, string> = { authorization: 'Bearer test-key' },
  ) {
    const response = await gateway.app.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({
        query: 'subscription($id: ID!) { importProgress(importId: $id) { state processed total finishedAt } }',
        variables: { id },
      }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    return text
      .split('\n\n')
      .filter((block) => block.includes('event: next'))
      .map((block) => JSON.parse(block.slice(block.indexOf('data:') + 5)));
  }

  it('first the import as it stands, then as it moves, processed never going down, the last with the final state', async () => {
    const { gateway } = await start(
      async (call, n) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return batchAnswer(call, n);
      },
      { IMPORT_CONCURRENCY: '1' },
    );
    const created = (await importContacts(gateway, rows(1500))).data?.importContacts;
    const seen = await events(gateway, created.id);
    const imports = seen.map((event) => event.data.importProgress);
    expect(imports.length).toBeGreaterThanOrEqual(3);
    expect(imports[0].state).toMatch(/QUEUED|RUNNING/);
    const processed = imports.map((record: { processed: number }) => record.processed);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(imports.at(-1)).toMatchObject({ state: 'SUCCEEDED', processed: 1500, total: 1500 });
    expect(imports.at(-1).finishedAt).not.toBeNull();
  });

  it("another caller's import: one event with NOT_FOUND, then the stream completes", async () => {
    const { gateway } = await start(batchAnswer, {}, { access: gatewayKeyPolicy('sk', ['alice', 'bob'], false) });
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' }, { authorization: 'Bearer alice' })).data
      ?.createImport;
    const seen = await events(gateway, created.id, { authorization: 'Bearer bob' });
    expect(seen).toHaveLength(1);
    expect(seen[0].errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('appendFile', () => {
  async function upload(
    gateway: Harness,
    id: string,
    file: File,
    headers: Record<string, string> = { 'x-graphql-yoga-csrf': '1', authorization: 'Bearer test-key' },
  ) {
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: `mutation($file: File!, $id: ID!) { appendFile(importId: $id, file: $file) { id total deduplicated } }`,
        variables: { file: null, id },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', file);
    const response = await gateway.app.fetch('http://gateway.test/graphql', { method: 'POST', body: form, headers });
    return { status: response.status, body: (await response.json()) as any };
  }

  it('takes a CSV with a BOM, CRLF line ends, RFC 4180 quoting and both name styles', async () => {
    const { upstream, gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    const csv = [
      '\ufeffworkEmail,first_name,personalEmails,customFields.tier,create_missing_fields,additionalFields.region',
      'ann@acme.com,"Ann, the ""first""",a@x.co; b@x.co,gold,true,emea',
      'bob@acme.com,"Bob',
      'on two lines",,,,',
      'CAROL@acme.com,,,,false,',
    ].join('\r\n');
    const answer = await upload(gateway, created.id, new File([csv], 'rows.csv', { type: 'text/csv' }));
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.appendFile).toMatchObject({ total: 3, deduplicated: 0 });
    await mutate(gateway, START, { id: created.id });
    await ended(gateway, created.id);
    expect((upstream.calls[0]!.body as { contacts: unknown[] }).contacts).toEqual([
      {
        work_email: 'ann@acme.com',
        first_name: 'Ann, the "first"',
        personal_emails: ['a@x.co', 'b@x.co'],
        custom_fields: { tier: 'gold' },
        create_missing_fields: true,
        region: 'emea',
      },
      { work_email: 'bob@acme.com', first_name: 'Bob\r\non two lines' },
      { work_email: 'CAROL@acme.com', create_missing_fields: false },
    ]);
  });

  it('refuses a file with a bad row, naming the line its record starts on, and keeps nothing of it', async () => {
    const { gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    const csv = ['workEmail,firstName,nickname', 'ok@acme.com,"two\r\nlines",x', 'nope,Bob,y'].join('\r\n');
    const answer = await upload(gateway, created.id, new File([csv], 'rows.csv', { type: 'text/csv' }));
    expect(answer.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.body.errors[0].extensions.issues).toEqual([
      { path: ['file', 'line 2', 'nickname'], message: 'is not a field of ContactInput' },
      { path: ['file', 'line 4', 'nickname'], message: 'is not a field of ContactInput' },
      { path: ['file', 'line 4', 'workEmail'], message: 'must be an e-mail address such as jane@acme.com' },
    ]);
    expect((await readImport(gateway, created.id)).total).toBe(0);
  });

  it('takes JSON Lines, with field names of either style, and folds them into what the import holds', async () => {
    const { gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    await mutate(gateway, APPEND, { id: created.id, contacts: [{ workEmail: 'ann@acme.com' }] });
    const lines = [
      '{"workEmail": "bob@acme.com", "personalEmails": ["b@x.co"]}',
      '',
      '{"work_email": "ANN@acme.com", "job_title": "CTO"}',
    ];
    const answer = await upload(gateway, created.id, new File([lines.join('\n')], 'rows.jsonl'));
    expect(answer.body.data.appendFile).toMatchObject({ total: 3, deduplicated: 1 });
    const wrong = await upload(
      gateway,
      created.id,
      new File(['{"workEmail": 5}\nnot json\n[1]'], 'rows.jsonl', { type: 'application/x-ndjson' }),
    );
    expect(wrong.body.errors[0].extensions.issues).toEqual([
      { path: ['file', 'line 1', 'workEmail'], message: 'must be a string' },
      { path: ['file', 'line 1'], message: 'give workEmail or linkedinUrl: the contact is matched by one of them' },
      { path: ['file', 'line 2'], message: 'is not valid JSON' },
      { path: ['file', 'line 3'], message: 'must be a JSON object' },
    ]);
  });

  it('a file sent again with its idempotency key adds nothing; other bytes under the same key are refused', async () => {
    const { gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    const send = async (text: string) => {
      const form = new FormData();
      form.set(
        'operations',
        JSON.stringify({
          query:
            'mutation($file: File!, $id: ID!) { appendFile(importId: $id, file: $file, idempotencyKey: "sheet-1") { total } }',
          variables: { file: null, id: created.id },
        }),
      );
      form.set('map', JSON.stringify({ 0: ['variables.file'] }));
      form.set('0', new File([text], 'rows.csv', { type: 'text/csv' }));
      const response = await gateway.app.fetch('http://gateway.test/graphql', {
        method: 'POST',
        body: form,
        headers: { authorization: 'Bearer test-key' },
      });
      return (await response.json()) as any;
    };
    expect((await send('workEmail\na@acme.com\nb@acme.com')).data.appendFile.total).toBe(2);
    expect((await send('workEmail\na@acme.com\nb@acme.com')).data.appendFile.total).toBe(2);
    const other = await send('workEmail\nc@acme.com');
    expect(other.errors[0].extensions.issues[0].path).toEqual(['idempotencyKey']);
  });

  it('needs a header an HTML form cannot send, and a file of a known type', async () => {
    const { gateway } = await start();
    const created = (await mutate(gateway, CREATE, { kind: 'CONTACTS' })).data?.createImport;
    const csv = new File(['workEmail\na@acme.com'], 'rows.csv', { type: 'text/csv' });
    const formLike = await upload(gateway, created.id, csv, {});
    expect(formLike.status).toBe(400);
    expect(formLike.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const withKey = await upload(gateway, created.id, csv, { authorization: 'Bearer test-key' });
    const csrfOnly = await upload(gateway, created.id, csv, { 'x-graphql-yoga-csrf': '1' });
    expect(csrfOnly.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(withKey.body.data.appendFile.total).toBe(1);
    const unknown = await upload(
      gateway,
      created.id,
      new File(['x'], 'rows.xlsx', { type: 'application/vnd.ms-excel' }),
    );
    expect(unknown.body.errors[0].extensions.issues[0].path).toEqual(['file']);
  });
});
