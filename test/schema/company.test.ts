import { describe, expect, it } from 'vitest';
import { AssertCompanyDocument } from '../../examples/generated/graphql.js';
import { harnessWithUpstream } from '../helpers/gateway-harness.js';

/** assertCompany (src/schema/company.ts): the exact upstream request, and the answer mapped back. */

const fixture = harnessWithUpstream();

describe('assertCompany', () => {
  it('assertCompany: PUT /companies/assert', async () => {
    fixture.upstream.script = () => ({ body: { data: { action: 'created', count: 1 } } });
    const result = await fixture.gateway.execute(AssertCompanyDocument, {
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
    expect(fixture.upstream.calls.map((call) => [call.path, call.body])).toEqual([
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
});
