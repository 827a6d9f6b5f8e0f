import { describe, expect, it } from 'vitest';
import { AssertContactDocument } from '../../examples/generated/graphql.js';
import { harnessWithUpstream } from '../helpers/gateway-harness.js';

/** assertContact (src/schema/contact.ts): the exact upstream request, and the answer mapped back. */

const fixture = harnessWithUpstream();

describe('assertContact', () => {
  it('assertContact: PUT /contacts/assert with snake_case fields, nulls left out, extras passed through', async () => {
    fixture.upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
    const result = await fixture.gateway.execute(AssertContactDocument, {
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
    expect(fixture.upstream.calls).toHaveLength(1);
    const [call] = fixture.upstream.calls;
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
    fixture.upstream.script = () => ({ body: { data: { action: 'updated', count: 1 } } });
    const result = await fixture.gateway.execute(
      AssertContactDocument,
      { listId: 5, contact: { linkedinUrl: 'https://www.linkedin.com/in/jane' } },
      { authorization: 'Bearer test-key', 'x-request-id': 'trace-123' },
    );
    expect(result.data).toEqual({ assertContact: { action: 'UPDATED', count: 1 } });
    expect(fixture.upstream.calls[0]?.headers['x-request-id']).toBe('trace-123');
    expect(fixture.upstream.calls[0]?.body).toEqual({ list_id: 5, linkedin_url: 'https://www.linkedin.com/in/jane' });
  });
});
