import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/lib/soak.js';

describe('fault soak (short; `npm run soak` runs 50,000 contacts)', () => {
  it('loses nothing and writes nothing twice under 503s, 429s, resets and latency spikes', async () => {
    const report = await runSoak({
      contacts: 4_000,
      mutations: 4,
      faults: { latencyMs: 2, errorRate: 0.1, rateLimitPerSecond: 40, resetRate: 0.06, spikeRate: 0.03, spikeMs: 250 },
    });
    expect(report.problems).toEqual([]);
    expect(report.created + report.updated + report.failed).toBe(4_000);
    expect(report.retries).toBeGreaterThan(0);
    expect(report.deduplicated).toBeGreaterThan(0);
  }, 60_000);
});
