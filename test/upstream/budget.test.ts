import { describe, expect, it } from 'vitest';
import {
  admitInWindow,
  IMPORT_RELEASE_MS,
  LocalBudget,
  SECOND_GUARD_MS,
  type SecondWindow,
} from '../../src/upstream/budget.js';

const limit = { perSecond: 10, importShare: 0.8 };
const fresh = (): SecondWindow => ({
  second: 0,
  used: 0,
  imports: 0,
  interactiveWaiting: false,
  interactiveTurnedAway: false,
});

describe('the admission rule of one key and second', () => {
  it('admits up to the limit, then says how long until the next second', () => {
    const window = fresh();
    for (let call = 0; call < 10; call++) expect(admitInWindow(window, limit, 'interactive', 100)).toBe(0);
    expect(admitInWindow(window, limit, 'interactive', 100)).toBe(900);
    expect(window.used).toBe(10);
  });

  it('sends nothing in the last moments of a second', () => {
    expect(admitInWindow(fresh(), limit, 'interactive', 1000 - SECOND_GUARD_MS)).toBe(SECOND_GUARD_MS);
  });

  it('imports take their share until late in the second, then what interactive calls left', () => {
    const window = fresh();
    for (let call = 0; call < 8; call++) expect(admitInWindow(window, limit, 'import', 10)).toBe(0);
    expect(admitInWindow(window, limit, 'import', 10)).toBe(IMPORT_RELEASE_MS - 10);
    expect(admitInWindow(window, limit, 'interactive', 20)).toBe(0);
    expect(admitInWindow(window, limit, 'import', IMPORT_RELEASE_MS)).toBe(0);
    expect(admitInWindow(window, limit, 'import', IMPORT_RELEASE_MS)).toBe(1000 - IMPORT_RELEASE_MS);
  });

  it('while an interactive call waits, imports keep to their share all second long', () => {
    const window = fresh();
    for (let call = 0; call < 8; call++) admitInWindow(window, limit, 'import', 10);
    admitInWindow(window, limit, 'interactive', 20);
    admitInWindow(window, limit, 'interactive', 20);
    expect(admitInWindow(window, limit, 'interactive', 30)).toBe(970);
    expect(window.interactiveWaiting).toBe(true);
    expect(admitInWindow(window, limit, 'import', IMPORT_RELEASE_MS + 10)).toBe(1000 - IMPORT_RELEASE_MS - 10);
  });
});

describe('LocalBudget', () => {
  it('counts each key in whole Unix seconds of its own', async () => {
    let now = 5_000_100;
    const budget = new LocalBudget({ perSecond: 2, importShare: 0.8 }, () => now);
    expect(await budget.admit('a', 'interactive')).toBe(0);
    expect(await budget.admit('a', 'interactive')).toBe(0);
    expect(await budget.admit('a', 'interactive')).toBe(900);
    expect(await budget.admit('b', 'interactive')).toBe(0);
    now = 5_001_000;
    expect(await budget.admit('a', 'interactive')).toBe(0);
  });

  it("pauses a key until X-RateLimit-Reset after Remaining: 0, and for a 429's Retry-After", async () => {
    let now = 1_800_000_000_000;
    const budget = new LocalBudget(undefined, () => now);
    budget.observe('a', 200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000002' });
    expect(await budget.admit('a', 'interactive')).toBe(2_000);
    expect(await budget.admit('b', 'import')).toBe(0);
    budget.observe('b', 429, { 'retry-after': '3' });
    expect(await budget.admit('b', 'import')).toBe(3_000);
    now += 3_000;
    expect(await budget.admit('a', 'interactive')).toBe(0);
    expect(await budget.admit('b', 'interactive')).toBe(0);
  });
});

describe('LocalBudget at a limit of one call a second', () => {
  it('a mutation turned away in one second is not raced by the import workers in the next', async () => {
    let now = 1_800_000_000_010;
    const budget = new LocalBudget({ perSecond: 1, importShare: 0.8 }, () => now);
    expect(await budget.admit('a', 'import')).toBe(0);
    expect(await budget.admit('a', 'interactive')).toBe(990);
    now = 1_800_000_001_000;
    expect(await budget.admit('a', 'import')).toBe(1000);
    expect(await budget.admit('a', 'interactive')).toBe(0);
    now = 1_800_000_002_000;
    expect(await budget.admit('a', 'import')).toBe(0);
  });

  it('keeps to its share of the limit while Redis is away, the copies that shared it known', async () => {
    const now = 1_800_000_000_100;
    const budget = new LocalBudget({ perSecond: 20, importShare: 0.8 }, () => now);
    budget.divideAmong(3, { perSecond: 20, importShare: 0.8 });
    for (let call = 0; call < 6; call++) expect(await budget.admit('a', 'interactive')).toBe(0);
    expect(await budget.admit('a', 'interactive')).toBe(900);
  });
});

describe('what an answer teaches the budget', () => {
  it('a 429 pauses the key until X-RateLimit-Reset when it names one, else for its Retry-After', async () => {
    let now = 1_800_000_000_916;
    const budget = new LocalBudget(undefined, () => now);
    budget.observe('a', 429, { 'retry-after': '1', 'x-ratelimit-reset': '1800000001' });
    expect(await budget.admit('a', 'interactive')).toBe(84);
    budget.observe('b', 429, { 'retry-after': '2' });
    expect(await budget.admit('b', 'interactive')).toBe(2_000);
    now += 100;
    expect(await budget.admit('a', 'interactive')).toBe(0);
  });

  it('counts the calls the upstream says it counted in the window, when it counted more than the budget', async () => {
    const now = 1_800_000_000_100;
    const budget = new LocalBudget({ perSecond: 5, importShare: 0.8 }, () => now);
    expect(await budget.admit('a', 'interactive')).toBe(0);
    budget.observe('a', 200, {
      'x-ratelimit-limit-second': '5',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '1800000001',
    });
    expect(await budget.admit('a', 'interactive')).toBe(0);
    expect(await budget.admit('a', 'interactive')).toBe(900);
  });
});

describe('UPSTREAM_RATE_LIMIT, through the gateway', () => {
  it('no Unix second carries more calls with one key than the limit, retries included', async () => {
    const { startRecordingUpstream, createdBatch } = await import('../helpers/recording-upstream.js');
    const { createHarness } = await import('../helpers/gateway-harness.js');
    const upstream = await startRecordingUpstream((call, n) =>
      n % 7 === 0 ? { status: 503, body: {} } : createdBatch(call),
    );
    const gateway = createHarness({
      upstreamUrl: upstream.url,
      upstreamConcurrency: 8,
      env: { UPSTREAM_RATE_LIMIT: '6' },
    });
    try {
      const contacts = Array.from({ length: 1_500 }, (_, i) => ({ workEmail: `r${i}@acme.com` }));
      const result = await gateway.execute(
        'mutation($c: [ContactInput!]!) { assertContacts(listId: 1, contacts: $c) { total created failed } }',
        { c: contacts },
      );
      expect(result.data?.assertContacts).toEqual({ total: 1_500, created: 1_500, failed: 0 });
      const perSecond = new Map<number, number>();
      for (const call of upstream.calls) {
        const second = Math.floor(call.receivedAt / 1000);
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      }
      expect(upstream.calls.length).toBeGreaterThan(15);
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(6);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  }, 30_000);
});
