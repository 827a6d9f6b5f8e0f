import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkThenImport, importContacts } from '../../examples/frontend/import-contacts.js';
import { importWithProgress } from '../../examples/frontend/watch-import.js';
import { EXAMPLE_ORDER, runExamples } from '../../examples/run-examples.js';
import { killGatewayProcesses, type StartedGateway, startGatewayProcess } from '../helpers/gateway-process.js';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';

/** The README's examples, run as written against the built gateway (`npm start` on a fresh clone). */

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

afterEach(async () => {
  await killGatewayProcesses();
});

const post = (gateway: StartedGateway, body: unknown) =>
  fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((response) => response.json() as Promise<{ data?: any; errors?: any[] }>);

describe('README\'s "A first mutation", on the embedded simulator with nothing configured', () => {
  const section = README.slice(README.indexOf('## A first mutation'), README.indexOf('## Configuration'));
  const mutation = /```graphql\n([\s\S]*?)```/.exec(section)?.[1];
  // The curl examples' bodies, as the shell hands them over.
  const curlBodies = [...section.matchAll(/-d '([\s\S]*?)'\n/g)].map((match) => JSON.parse(match[1] as string));

  it('the GraphiQL mutation answers CREATED, then UPDATED; the curl examples answer as the README says', async () => {
    expect(mutation).toContain('mutation AssertContact');
    expect(curlBodies).toHaveLength(2);
    const gateway = await startGatewayProcess({});
    expect(await post(gateway, { query: mutation })).toEqual({
      data: { assertContact: { action: 'CREATED', count: 1 } },
    });
    expect(await post(gateway, { query: mutation })).toEqual({
      data: { assertContact: { action: 'UPDATED', count: 1 } },
    });
    expect(await post(gateway, curlBodies[0])).toEqual({ data: { assertContact: { action: 'UPDATED', count: 1 } } });
    // The third contact has no match key: BAD_USER_INPUT naming ["contacts", 2], and nothing sent.
    const refused = await post(gateway, curlBodies[1]);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [{ path: ['contacts', 2], message: expect.any(String) }],
    });
    const withoutIt = { ...curlBodies[1], variables: { contacts: curlBodies[1].variables.contacts.slice(0, 2) } };
    expect(await post(gateway, withoutIt)).toEqual({
      data: {
        assertContacts: { total: 2, created: 1, updated: 1, failed: 0, deduplicated: 1, chunks: 1, errors: [] },
      },
    });
  });
});

describe("the README's frontend example (urql with typed operations)", () => {
  let upstream: RecordingUpstream;
  let gateway: StartedGateway;
  beforeAll(async () => {
    upstream = await startRecordingUpstream((call) => {
      const contacts = (call.body as { contacts: unknown[] }).contacts;
      return {
        body: {
          data: {
            total: contacts.length,
            created: contacts.length - 1,
            updated: 0,
            errors: [{ index: 1, message: 'Email bounced' }],
          },
        },
      };
    });
    gateway = await startGatewayProcess({ GRAPH8_API_URL: upstream.url });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('imports rows and reads errors back by index', async () => {
    const rows = [
      { workEmail: 'ok@acme.com' },
      { workEmail: 'bounce@acme.com', firstName: 'B' },
      { workEmail: 'ok2@acme.com' },
    ];
    expect(await importContacts(gateway.url, 'caller-key', 5, rows)).toEqual({
      written: 2,
      failedRows: [{ row: rows[1], code: 'REJECTED', message: 'Email bounced' }],
      unplaced: 0,
    });
    expect(upstream.calls[0]?.headers.authorization).toBe('Bearer caller-key');
  });
});

describe('the frontend examples that check first and watch an import', () => {
  it('checks a sheet and names every bad row before anything is written; a clean one is written', async () => {
    const gateway = await startGatewayProcess({});
    const rows = [{ workEmail: 'ok@acme.com' }, { workEmail: 'not an address' }, { firstName: 'no key' }];
    expect(await checkThenImport(gateway.url, 'k', 5, rows)).toEqual({
      problems: [
        { row: 1, field: 'workEmail', message: 'must be an e-mail address such as jane@acme.com' },
        { row: 2, field: '', message: 'give workEmail or linkedinUrl: the contact is matched by one of them' },
      ],
    });
    expect(await checkThenImport(gateway.url, 'k', 5, rows.slice(0, 1))).toEqual({
      report: { written: 1, failedRows: [], unplaced: 0 },
    });
  });

  it("shows an import's progress from the subscription until it ends", async () => {
    const gateway = await startGatewayProcess({ SIMULATOR_LATENCY_MS: '150', IMPORT_CONCURRENCY: '1' });
    const rows = Array.from({ length: 600 }, (_, i) => ({ workEmail: `p${i}@acme.com` }));
    const seen: number[] = [];
    const final = await importWithProgress(gateway.url, 'k', 5, rows, (done) => seen.push(done));
    expect(final).toMatchObject({ state: 'SUCCEEDED', total: 600, processed: 600, failed: 0 });
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('npm run examples: every example operation with its variables', () => {
  it('runs each against the gateway as npm start serves it, with no error', async () => {
    const gateway = await startGatewayProcess({});
    const outcomes = await runExamples(gateway.url);
    expect(outcomes.map((outcome) => outcome.name)).toEqual([...EXAMPLE_ORDER]);
    for (const outcome of outcomes) {
      expect(outcome.answers.length, outcome.name).toBeGreaterThan(0);
      for (const answer of outcome.answers) expect(answer.errors, outcome.name).toBeUndefined();
    }
    const progress = outcomes.find((outcome) => outcome.name === 'import-progress')?.answers;
    expect(progress?.at(-1)?.data).toMatchObject({ importProgress: { state: 'SUCCEEDED' } });
  });
});
