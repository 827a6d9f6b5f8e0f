import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayDocument } from '../../examples/generated/graphql.js';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';

/** Query.gateway (src/schema/gateway-info.ts). */

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

describe('Query.gateway', () => {
  it('Query.gateway needs no key and sends nothing', async () => {
    const result = await gateway.execute(GatewayDocument, {}, {});
    expect(result.data).toEqual({
      gateway: { version: 'test', upstream: 'LIVE', chunkSize: 100, maxItemsPerMutation: 10_000 },
    });
    expect(upstream.calls).toHaveLength(0);
  });
});
