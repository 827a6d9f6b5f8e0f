import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { killGatewayProcesses, type StartedGateway, startGatewayProcess } from '../helpers/gateway-process.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';

/**
 * Imports through the built gateway's own Node layer, as `npm start` runs it
 * on a fresh clone (the embedded simulator and the in-process engine): the
 * operations the examples runner does not reach, file uploads streamed past
 * the JSON body reader, and the error report. test/schema/import.test.ts has
 * the rules; test/imports/ the Redis engine.
 */

afterEach(async () => {
  await killGatewayProcesses();
});

async function graphql(gateway: StartedGateway, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

async function ended(gateway: StartedGateway, id: string) {
  for (let tries = 0; tries < 300; tries++) {
    const { data } = await graphql(
      gateway,
      'query($id: ID!) { import(id: $id) { state failed processed total errorReportUrl finishedAt } }',
      { id },
    );
    if (data?.import?.finishedAt) return data.import;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the import did not end');
}

function upload(
  gateway: StartedGateway,
  importId: string,
  csv: string,
  headers: Record<string, string> = { 'x-graphql-yoga-csrf': '1' },
) {
  const form = new FormData();
  form.set(
    'operations',
    JSON.stringify({
      query: 'mutation($file: File!, $id: ID!) { appendFile(importId: $id, file: $file) { total deduplicated } }',
      variables: { file: null, id: importId },
    }),
  );
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new File([csv], 'companies.csv', { type: 'text/csv' }));
  return fetch(gateway.url, { method: 'POST', body: form, headers });
}

describe('imports over the Node server', () => {
  it('companies from a CSV upload and an append, checked, started and listed', async () => {
    const gateway = await startGatewayProcess({});
    const created = await graphql(gateway, 'mutation { createImport(kind: COMPANIES, listId: 7) { id state } }');
    const id = created.data?.createImport.id;
    const uploaded = await upload(
      gateway,
      id,
      'domain,name,employee_count\nacme.com,Acme,10\nglobex.com,"Globex, Inc",\n',
    );
    expect(uploaded.status).toBe(200);
    expect(((await uploaded.json()) as any).data.appendFile).toEqual({ total: 2, deduplicated: 0 });
    const appended = await graphql(
      gateway,
      'mutation($id: ID!) { appendCompanies(importId: $id, companies: [{domain: "ACME.com", industry: "Tech"}]) { total deduplicated } }',
      { id },
    );
    expect(appended.data?.appendCompanies).toEqual({ total: 3, deduplicated: 1 });
    const checked = await graphql(
      gateway,
      '{ checkCompanies(listId: 7, companies: [{domain: "acme.com"}, {name: "no key"}]) { valid issues { path } } }',
    );
    expect(checked.data?.checkCompanies).toEqual({ valid: false, issues: [{ path: ['companies', '1'] }] });
    await graphql(gateway, 'mutation($id: ID!) { startImport(importId: $id) { state } }', { id });
    expect(await ended(gateway, id)).toMatchObject({
      state: 'SUCCEEDED',
      processed: 3,
      failed: 0,
      errorReportUrl: null,
    });
    const listed = await graphql(gateway, '{ imports(first: 5, state: SUCCEEDED) { edges { node { id kind } } } }');
    expect(listed.data?.imports.edges).toEqual([{ node: { id, kind: 'COMPANIES' } }]);
  });

  it('an upload without Content-Length, or over MAX_UPLOAD_BYTES, is refused before it is read', async () => {
    const gateway = await startGatewayProcess({ MAX_UPLOAD_BYTES: '2048' });
    const id = (await graphql(gateway, 'mutation { createImport(kind: CONTACTS, listId: 7) { id } }')).data
      ?.createImport.id;
    const big = await upload(gateway, id, `workEmail\n${'x@acme.com\n'.repeat(400)}`);
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(
        gateway.url,
        { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-graphql-yoga-csrf': '1' } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8');
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      // The gateway answers and closes at once; the rest of the body may then fail to send, which is fine.
      let answered = false;
      outgoing.on('response', () => {
        answered = true;
      });
      outgoing.on('error', (error) => {
        if (!answered) reject(error);
      });
      outgoing.write('--x\r\n');
      outgoing.end('--x--\r\n');
    });
    expect(chunked.status).toBe(411);
    expect((await graphql(gateway, '{ gateway { upstream } }')).data).toEqual({ gateway: { upstream: 'SIMULATOR' } });
  });

  it('importCompanies, then cancelImport: the calls in flight counted, the rest skipped', async () => {
    const gateway = await startGatewayProcess({ SIMULATOR_LATENCY_MS: '200', IMPORT_CONCURRENCY: '1' });
    const companies = Array.from({ length: 500 }, (_, i) => ({ domain: `c${i}.example` }));
    const started = await graphql(
      gateway,
      'mutation($companies: [CompanyInput!]!) { importCompanies(listId: 7, companies: $companies) { id state total chunks } }',
      { companies },
    );
    const id = started.data?.importCompanies.id;
    expect(started.data?.importCompanies).toMatchObject({ state: 'QUEUED', total: 500, chunks: 5 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelled = await graphql(gateway, 'mutation($id: ID!) { cancelImport(importId: $id) { state skipped } }', {
      id,
    });
    expect(cancelled.data?.cancelImport.state).toBe('CANCELLED');
    const done = await ended(gateway, id);
    expect(done).toMatchObject({ state: 'CANCELLED', processed: 500 });
    expect(cancelled.data?.cancelImport.skipped).toBeGreaterThanOrEqual(300);
  });

  it('the failed rows as CSV, by the signed link without credentials, and for nobody else', async () => {
    const upstream = await startRecordingUpstream((call) => {
      const contacts = (call.body as { contacts: unknown[] }).contacts;
      return {
        body: { data: { total: contacts.length, created: 1, updated: 0, errors: [{ index: 1, message: 'bounced' }] } },
      };
    });
    try {
      const gateway = await startGatewayProcess({ GRAPH8_API_URL: upstream.url });
      const headers = { 'content-type': 'application/json', authorization: 'Bearer owner-key' };
      const started = await fetch(gateway.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          query:
            'mutation { importContacts(listId: 7, contacts: [{workEmail: "ok@acme.com"}, {workEmail: "gone@acme.com", jobTitle: "CTO"}]) { id } }',
        }),
      });
      const id = ((await started.json()) as any).data.importContacts.id;
      let link: string | null = null;
      for (let tries = 0; tries < 200 && link === null; tries++) {
        const read = await fetch(gateway.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            query: 'query($id: ID!) { import(id: $id) { errorReportUrl finishedAt } }',
            variables: { id },
          }),
        });
        const record = ((await read.json()) as any).data.import;
        if (record.finishedAt) link = record.errorReportUrl;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const csv = await fetch(`${gateway.origin}${link}`);
      expect(csv.status).toBe(200);
      const lines = (await csv.text()).trimEnd().split('\n');
      expect(lines[0]).toMatch(/^index,code,message,workEmail,linkedinUrl,firstName,lastName,jobTitle,/);
      expect(lines[1]).toMatch(/^1,REJECTED,bounced,gone@acme.com,,,,CTO,/);
      const path = `${gateway.origin}/imports/${id}/errors.csv`;
      expect((await fetch(path, { headers: { authorization: 'Bearer owner-key' } })).status).toBe(200);
      expect((await fetch(path, { headers: { authorization: 'Bearer someone-else' } })).status).toBe(404);
      expect((await fetch(path)).status).toBe(404);
    } finally {
      await upstream.close();
    }
  });
});
