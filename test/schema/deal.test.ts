import { describe, expect, it } from 'vitest';
import { AssertDealDocument, LinkContactToDealDocument } from '../../examples/generated/graphql.js';
import { harnessWithUpstream } from '../helpers/gateway-harness.js';

/** assertDeal and linkContactToDeal (src/schema/deal.ts): the exact upstream requests, and the answers mapped back. */

const fixture = harnessWithUpstream();

describe('assertDeal and linkContactToDeal', () => {
  it('assertDeal: PUT /deals/assert, no list_id', async () => {
    fixture.upstream.script = () => ({ body: { data: { action: 'created', deal_id: 'deal-new-abc' } } });
    const result = await fixture.gateway.execute(AssertDealDocument, {
      deal: {
        name: 'Enterprise Deal',
        amount: 50000,
        companyId: 'comp-123',
        currency: 'USD',
        stageId: 'stage-1',
        pipelineId: 'pipe-1',
        description: 'Big one',
        closeDate: '2026-12-31',
      },
    });
    expect(result.data).toEqual({ assertDeal: { action: 'CREATED', dealId: 'deal-new-abc' } });
    expect(fixture.upstream.calls.map((call) => [call.path, call.body])).toEqual([
      [
        '/deals/assert',
        {
          name: 'Enterprise Deal',
          amount: 50000,
          company_id: 'comp-123',
          currency: 'USD',
          stage_id: 'stage-1',
          pipeline_id: 'pipe-1',
          description: 'Big one',
          close_date: '2026-12-31',
        },
      ],
    ]);
  });

  it('linkContactToDeal: PUT /contacts/{id}/deals/assert; an existing link answers EXISTS', async () => {
    fixture.upstream.script = () => ({ body: { data: { action: 'exists', deal_id: 'deal-abc', contact_id: 12345 } } });
    const result = await fixture.gateway.execute(LinkContactToDealDocument, { contactId: '12345', dealId: 'deal-abc' });
    expect(result.data).toEqual({ linkContactToDeal: { action: 'EXISTS', contactId: '12345', dealId: 'deal-abc' } });
    expect(fixture.upstream.calls.map((call) => [call.path, call.body])).toEqual([
      ['/contacts/12345/deals/assert', { deal_id: 'deal-abc' }],
    ]);
  });

  it("a link's 404 names the deal and the contact asked for", async () => {
    fixture.upstream.script = () => ({
      status: 404,
      body: { detail: 'Deal not found' },
      headers: { 'x-request-id': 'up-404' },
    });
    const result = await fixture.gateway.execute(LinkContactToDealDocument, {
      contactId: 'c-777',
      dealId: 'deal-missing-9',
    });
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', status: 404, upstreamRequestId: 'up-404' });
    expect(result.errors?.[0]?.message).toContain('deal-missing-9');
    expect(result.errors?.[0]?.message).toContain('c-777');
    expect(result.errors?.[0]?.message).toContain('Deal not found');
    expect(fixture.upstream.calls).toHaveLength(1);
  });
});
