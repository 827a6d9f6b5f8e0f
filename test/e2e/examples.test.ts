import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importContacts } from '../../examples/frontend/import-contacts.js';
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
