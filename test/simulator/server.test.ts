import { readdir, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorFaults } from '../../src/simulator/faults.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';

/** The stand-in for graph8 (src/simulator/server.ts, store.ts, faults.ts), over HTTP, and its independence. */

let simulator: RunningSimulator;
afterEach(async () => {
  await simulator.close();
});

async function put(path: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer sim-key' }) {
  const response = await fetch(`${simulator.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const start = async (faults?: Partial<SimulatorFaults>) => {
  simulator = await startSimulator({ faults: { latencyMs: 0, errorRate: 0, rateLimitPerSecond: 0, ...faults } });
};

describe('the simulator answers as upstream-api.md describes', () => {
  it('answers the documented examples as documented', async () => {
    await start();
    expect(
      (
        await put('/contacts/assert', {
          list_id: 5,
          work_email: 'jane@acme.com',
          first_name: 'Jane',
          last_name: 'Doe',
          job_title: 'VP of Sales',
        })
      ).body,
    ).toEqual({
      data: { action: 'created', count: 1 },
    });
    expect(
      (
        await put('/contacts/assert/batch', {
          list_id: 5,
          contacts: [
            { work_email: 'jane2@acme.com', first_name: 'Jane' },
            { work_email: 'bob@acme.com', first_name: 'Bob' },
          ],
        })
      ).body,
    ).toEqual({
      data: { total: 2, created: 2, updated: 0, errors: [] },
    });
    expect(
      (await put('/companies/assert', { list_id: 5, domain: 'acme.com', name: 'Acme Inc', industry: 'Technology' }))
        .body,
    ).toEqual({
      data: { action: 'created', count: 1 },
    });
    const deal = await put('/deals/assert', { name: 'Enterprise Deal', amount: 50000, company_id: 'comp-123' });
    expect(deal.body).toEqual({ data: { action: 'created', deal_id: expect.stringMatching(/^deal-[0-9a-f]+$/) } });
    const dealId = deal.body.data.deal_id as string;
    expect((await put('/contacts/12345/deals/assert', { deal_id: dealId })).body).toEqual({
      data: { action: 'created', deal_id: dealId, contact_id: 12345 },
    });
    expect((await put('/contacts/12345/deals/assert', { deal_id: dealId })).body.data.action).toBe('exists');
    expect(
      (await put('/deals/assert', { name: 'Enterprise Deal', amount: 60000, company_id: 'comp-123' })).body.data,
    ).toEqual({ action: 'updated', deal_id: dealId });
  });

  it('matches e-mails and domains case-insensitively, LinkedIn URLs whatever their form', async () => {
    await start();
    await put('/contacts/assert', { list_id: 1, work_email: 'Jane@Acme.com' });
    expect((await put('/contacts/assert', { list_id: 1, work_email: 'jane@ACME.COM' })).body.data.action).toBe(
      'updated',
    );
    await put('/contacts/assert', { list_id: 1, linkedin_url: 'https://www.linkedin.com/in/Bob/' });
    expect(
      (await put('/contacts/assert', { list_id: 1, linkedin_url: 'http://linkedin.com/in/bob' })).body.data.action,
    ).toBe('updated');
    await put('/companies/assert', { list_id: 1, domain: 'Acme.com' });
    expect(
      (await put('/companies/assert/batch', { list_id: 1, companies: [{ domain: 'ACME.com' }] })).body.data,
    ).toEqual({ total: 1, created: 0, updated: 1, errors: [] });
    expect(simulator.store.contacts.records.size).toBe(2);
  });

  it('updates only the fields a request carries', async () => {
    await start();
    await put('/contacts/assert', {
      list_id: 1,
      work_email: 'jane@acme.com',
      first_name: 'Jane',
      job_title: 'VP',
      custom_fields: { a: 1 },
    });
    await put('/contacts/assert', {
      list_id: 1,
      work_email: 'jane@acme.com',
      job_title: 'CEO',
      custom_fields: { b: 2 },
    });
    const stored = simulator.store.contacts.find({ work_email: 'jane@acme.com' });
    expect(stored?.fields).toEqual({
      work_email: 'jane@acme.com',
      first_name: 'Jane',
      job_title: 'CEO',
      custom_fields: { a: 1, b: 2 },
    });
  });

  it('refuses a batch of 101 items with 422 and writes none of it', async () => {
    await start();
    const contacts = Array.from({ length: 101 }, (_, i) => ({ work_email: `c${i}@acme.com` }));
    const answer = await put('/contacts/assert/batch', { list_id: 1, contacts });
    expect(answer.status).toBe(422);
    expect(answer.body.detail[0].loc).toEqual(['body', 'contacts']);
    expect(simulator.store.contacts.records.size).toBe(0);
  });

  it('reports per-item errors by position in the batch', async () => {
    await start();
    const answer = await put('/contacts/assert/batch', {
      list_id: 1,
      contacts: [{ work_email: 'a@acme.com' }, { first_name: 'x' }, 'nope'],
    });
    expect(answer.body.data).toEqual({
      total: 3,
      created: 1,
      updated: 0,
      errors: [
        { index: 1, message: 'work_email or linkedin_url is required', field: 'work_email' },
        { index: 2, message: 'item must be an object', field: 'contacts' },
      ],
    });
  });

  it('answers a link to an unknown deal with 404 naming the deal', async () => {
    await start();
    const answer = await put('/contacts/1/deals/assert', { deal_id: 'deal-nope' });
    expect(answer).toMatchObject({ status: 404, body: { detail: 'Deal deal-nope not found' } });
    expect(simulator.store.links.size).toBe(0);
  });

  it('refuses a call without a key (401), bad JSON and missing fields (422), unknown routes (404), other methods (405)', async () => {
    await start();
    expect((await put('/contacts/assert', { list_id: 1, work_email: 'a@acme.com' }, {})).status).toBe(401);
    expect((await put('/contacts/assert', '{"list_id": ')).status).toBe(422);
    expect((await put('/contacts/assert', { work_email: 'a@acme.com' })).body.detail[0].loc).toEqual([
      'body',
      'list_id',
    ]);
    expect((await put('/contacts/assert', { list_id: 1 })).status).toBe(422);
    expect((await put('/deals/assert', { name: ' ' })).status).toBe(422);
    expect((await put('/nowhere', {})).status).toBe(404);
    const get = await fetch(`${simulator.url}/contacts/assert`, { headers: { authorization: 'Bearer k' } });
    expect(get.status).toBe(405);
    await get.body?.cancel();
  });

  it('sends X-Request-Id and the rate-limit headers on every answer', async () => {
    await start();
    const answer = await put('/contacts/assert', { list_id: 1, work_email: 'a@acme.com' });
    expect(answer.headers.get('x-request-id')).toMatch(/^sim-/);
    for (const name of [
      'x-ratelimit-limit-second',
      'x-ratelimit-limit-minute',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ]) {
      expect(answer.headers.get(name)).toMatch(/^\d+$/);
    }
  });

  it('SIMULATOR_ERROR_RATE=1 answers every call 503 and writes nothing', async () => {
    await start({ errorRate: 1 });
    const answer = await put('/contacts/assert', { list_id: 1, work_email: 'a@acme.com' });
    expect(answer.status).toBe(503);
    expect(simulator.store.contacts.records.size).toBe(0);
  });

  it('SIMULATOR_RATE_LIMIT answers 429 with Retry-After past the limit, per key', async () => {
    await start({ rateLimitPerSecond: 2 });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => put('/contacts/assert', { list_id: 1, work_email: `a${i}@acme.com` })),
    );
    // Six calls span at most two one-second windows: at most four pass.
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited[0]?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited[0]?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited[0]?.body).toEqual({ detail: 'Rate limit exceeded. Please slow down.' });
    expect(simulator.store.contacts.records.size).toBe(6 - limited.length);
    const otherKey = await put(
      '/contacts/assert',
      { list_id: 1, work_email: 'b@acme.com' },
      { authorization: 'Bearer other' },
    );
    expect(otherKey.status).toBe(200);
  });

  it('SIMULATOR_LATENCY_MS delays every answer', async () => {
    await start({ latencyMs: 120 });
    const started = Date.now();
    await put('/contacts/assert', { list_id: 1, work_email: 'a@acme.com' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });
});

describe('the simulator stands apart from the gateway', () => {
  it('imports nothing from outside src/simulator/ but node built-ins (its entry point reads the environment through config.ts)', async () => {
    const folder = new URL('../../src/simulator/', import.meta.url);
    const files = (await readdir(folder)).filter((name) => name.endsWith('.ts'));
    expect(files).toContain('matching.ts');
    for (const file of files) {
      const source = await readFile(new URL(file, folder), 'utf8');
      const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
      for (const specifier of specifiers) {
        if (file === 'main.ts' && specifier === '../config.js') continue;
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^(?:node:|\.\/(?!\.))/);
      }
    }
  });
});
