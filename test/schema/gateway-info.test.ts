import { describe, expect, it } from 'vitest';
import { GatewayDocument } from '../../examples/generated/graphql.js';
import { harnessWithUpstream } from '../helpers/gateway-harness.js';

/** Query.gateway (src/schema/gateway-info.ts). */

const fixture = harnessWithUpstream();

describe('Query.gateway', () => {
  it('Query.gateway needs no key and sends nothing', async () => {
    const result = await fixture.gateway.execute(GatewayDocument, {}, {});
    expect(result.data).toEqual({
      gateway: { version: 'test', upstream: 'LIVE', chunkSize: 100, maxItemsPerMutation: 10_000 },
    });
    expect(fixture.upstream.calls).toHaveLength(0);
  });
});
