import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssertCompanyDocument } from '../../examples/generated/graphql.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';

/** assertCompany (src/schema/company.ts): the exact upstream request, and the answer mapped back. */

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

describe('assertCompany', () => {
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
});
