import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';

/** The simulator's matching rules (src/simulator/matching.ts), over HTTP. */

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

const start = async () => {
  simulator = await startSimulator({ faults: { latencyMs: 0, errorRate: 0, rateLimitPerSecond: 0 } });
};

describe('the simulator matches records by the rules of upstream-api.md', () => {
  const action = async (path: string, body: unknown) => {
    const answer = await put(path, body);
    expect(answer.status).toBe(200);
    return answer.body.data.action as string;
  };

  it('matches a contact by work_email trimmed and in any letter case, in single and batch calls', async () => {
    await start();
    expect(await action('/contacts/assert', { list_id: 1, work_email: 'jane@acme.com', first_name: 'Jane' })).toBe(
      'created',
    );
    expect(await action('/contacts/assert', { list_id: 1, work_email: '  JANE@Acme.COM \t', job_title: 'CEO' })).toBe(
      'updated',
    );
    const batch = await put('/contacts/assert/batch', {
      list_id: 1,
      contacts: [{ work_email: ' Jane@ACME.com' }, { work_email: 'jane@acme.co' }],
    });
    expect(batch.body.data).toEqual({ total: 2, created: 1, updated: 1, errors: [] });
    expect(simulator.store.contacts.records.size).toBe(2);
    expect(simulator.store.contacts.find({ work_email: 'JANE@acme.com ' })?.fields).toMatchObject({
      first_name: 'Jane',
      job_title: 'CEO',
    });
  });

  it('matches a LinkedIn URL whatever its scheme, www., letter case, query, fragment or trailing slash', async () => {
    await start();
    expect(
      await action('/contacts/assert', { list_id: 1, linkedin_url: 'https://www.linkedin.com/in/jane-doe/' }),
    ).toBe('created');
    const sameProfile = [
      'http://www.linkedin.com/in/jane-doe/',
      'https://linkedin.com/in/jane-doe/',
      'https://www.linkedin.com/in/jane-doe',
      'HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE/',
      'https://www.linkedin.com/in/Jane-Doe',
      'https://www.linkedin.com/in/jane-doe?utm_source=share&utm_medium=member',
      'https://www.linkedin.com/in/jane-doe/#experience',
      'https://www.linkedin.com/in/jane-doe//',
      'http://LinkedIn.com/in/JANE-doe/?trk=x',
      'linkedin.com/in/jane-doe',
      '  www.linkedin.com/in/jane-doe/  ',
    ];
    for (const linkedinUrl of sameProfile) {
      expect(await action('/contacts/assert', { list_id: 1, linkedin_url: linkedinUrl }), linkedinUrl).toBe('updated');
    }
    const otherProfiles = [
      'https://www.linkedin.com/in/jane-doe-2/',
      'https://www.linkedin.com/in/jane',
      'https://www.linkedin.com/in/jane-doe/details',
      'https://www.example.com/in/jane-doe/',
    ];
    for (const linkedinUrl of otherProfiles) {
      expect(await action('/contacts/assert', { list_id: 1, linkedin_url: linkedinUrl }), linkedinUrl).toBe('created');
    }
    expect(simulator.store.contacts.records.size).toBe(1 + otherProfiles.length);
  });

  it('matches a contact by work_email when it has one, by linkedin_url only when it has none', async () => {
    await start();
    const profile = 'https://www.linkedin.com/in/jane-doe';
    await put('/contacts/assert', {
      list_id: 1,
      work_email: 'jane@acme.com',
      linkedin_url: profile,
      first_name: 'Jane',
    });
    // Another e-mail with the same profile is another contact: the e-mail decides.
    expect(await action('/contacts/assert', { list_id: 1, work_email: 'jane@other.com', linkedin_url: profile })).toBe(
      'created',
    );
    // Without an e-mail the profile decides, and finds the contact that held it first.
    expect(
      await action('/contacts/assert', {
        list_id: 1,
        linkedin_url: 'http://linkedin.com/in/JANE-DOE/',
        last_name: 'Doe',
      }),
    ).toBe('updated');
    expect(simulator.store.contacts.find({ work_email: 'jane@acme.com' })?.fields).toMatchObject({
      first_name: 'Jane',
      last_name: 'Doe',
    });
    // A blank e-mail is no e-mail.
    expect(await action('/contacts/assert', { list_id: 1, work_email: '  ', linkedin_url: profile })).toBe('updated');
    expect(simulator.store.contacts.records.size).toBe(2);
  });

  it('matches by the values a record holds now, after an update replaced its LinkedIn URL', async () => {
    await start();
    await put('/contacts/assert', { list_id: 1, work_email: 'jane@acme.com', linkedin_url: 'linkedin.com/in/old' });
    await put('/contacts/assert', { list_id: 1, work_email: 'jane@acme.com', linkedin_url: 'linkedin.com/in/new' });
    expect(await action('/contacts/assert', { list_id: 1, linkedin_url: 'https://www.linkedin.com/in/new/' })).toBe(
      'updated',
    );
    expect(await action('/contacts/assert', { list_id: 1, linkedin_url: 'https://www.linkedin.com/in/old/' })).toBe(
      'created',
    );
  });

  it('matches a company by domain trimmed and in any letter case, else by linkedin_url', async () => {
    await start();
    expect(await action('/companies/assert', { list_id: 1, domain: 'acme.com', name: 'Acme' })).toBe('created');
    expect(await action('/companies/assert', { list_id: 1, domain: ' ACME.Com ', industry: 'Tech' })).toBe('updated');
    expect(await action('/companies/assert', { list_id: 1, domain: 'acme.co' })).toBe('created');
    const page = 'https://www.linkedin.com/company/globex/';
    expect(await action('/companies/assert', { list_id: 1, linkedin_url: page, name: 'Globex' })).toBe('created');
    const batch = await put('/companies/assert/batch', {
      list_id: 1,
      companies: [
        { linkedin_url: 'http://LinkedIn.com/company/Globex?trk=x' },
        { domain: 'globex.com', linkedin_url: page },
        { domain: 'ACME.COM', linkedin_url: 'https://www.linkedin.com/company/acme' },
      ],
    });
    // The second item has a domain, so it is matched by it alone: a new company.
    expect(batch.body.data).toEqual({ total: 3, created: 1, updated: 2, errors: [] });
    expect(simulator.store.companies.records.size).toBe(4);
    expect(simulator.store.companies.find({ domain: 'Acme.com' })?.fields).toMatchObject({
      name: 'Acme',
      industry: 'Tech',
      linkedin_url: 'https://www.linkedin.com/company/acme',
    });
  });

  it('matches a deal by name and company_id together, as sent', async () => {
    await start();
    const first = await put('/deals/assert', { name: 'Renewal', company_id: 'comp-1' });
    expect(first.body.data.action).toBe('created');
    const again = await put('/deals/assert', { name: 'Renewal', company_id: 'comp-1', amount: 10 });
    expect(again.body.data).toEqual({ action: 'updated', deal_id: first.body.data.deal_id });
    expect(await action('/deals/assert', { name: 'Renewal', company_id: 'comp-2' })).toBe('created');
    expect(await action('/deals/assert', { name: 'Renewal' })).toBe('created');
    expect(await action('/deals/assert', { name: 'Renewal' })).toBe('updated');
    expect(simulator.store.deals.size).toBe(3);
  });
});
