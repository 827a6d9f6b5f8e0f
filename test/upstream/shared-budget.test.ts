import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StartedGateway } from '../helpers/gateway-process.js';
import { redisServerMissing, startRedisServer } from '../helpers/redis-server.js';
import {
  type Arrival,
  ASSERT_CONTACTS,
  arrivedBetween,
  cleanUp,
  contacts,
  copyOf,
  drive,
  figures,
  graphql,
  IMPORT_CONTACTS,
  importOf,
  KEY_A,
  KEY_B,
  logLines,
  metric,
  nextSecond,
  type Outcome,
  perSecond,
  problemsOf,
  type SpentWindow,
  startBudgetUpstream,
  startCopies,
  until,
  untilImportEnded,
  warmUp,
  watchPauses,
} from './shared-budget-cluster.js';

/**
 * The upstream budget shared through Redis (contract: imports.md, "One
 * upstream budget across every copy"), against a real redis-server: copies of
 * the built gateway, each a process of its own, on one Redis, all sending to
 * one loopback graph8 that records every call's arrival. The per-second rule
 * is checked where graph8 counts it: the upstream's arrivals with one key,
 * grouped by whole Unix second. Every test starts and stops its own Redis,
 * upstream and copies, and warms the copies up (with a key of its own) before
 * it counts anything.
 */

const missing = redisServerMissing('the shared upstream budget tests (test/upstream/shared-budget.test.ts)');

const FALLBACK_WARNING = /^Redis cannot be reached: this copy keeps its own upstream rate budget/;
const SHARED_NOTICE = /^the upstream rate budget is shared through Redis$/;
const WARN = 40;

/** The calls with one key. */
const withKey = (calls: readonly Arrival[], key: string) => calls.filter((call) => call.key === key);

/** The counts of the seconds wholly inside [from, to). */
function wholeSeconds(counts: ReadonlyArray<[number, number]>, from: number, to: number): number[] {
  return counts.filter(([second]) => second * 1000 >= from && (second + 1) * 1000 <= to).map(([, count]) => count);
}

/** Calls that arrived more than once (the same request and first item): the retries among the arrivals. */
function retried(calls: readonly Arrival[]): number {
  const seen = new Map<string, number>();
  for (const call of calls) {
    const identity = `${call.requestId} ${call.path} ${call.firstEmail}`;
    seen.set(identity, (seen.get(identity) ?? 0) + 1);
  }
  return [...seen.values()].filter((count) => count > 1).length;
}

function describeProblems(outcomes: readonly Outcome[]): string {
  return problemsOf(outcomes)
    .slice(0, 5)
    .map((outcome) => `${outcome.requestId} (${outcome.status}): ${outcome.problems.join('; ')}`)
    .join('\n');
}

/** Fails when a copy fell back to its own budget while Redis was running: then the seconds cannot hold. */
function expectNoFallback(copies: readonly StartedGateway[]): void {
  copies.forEach((copy, index) => {
    const warnings = logLines(copy, FALLBACK_WARNING);
    expect(
      warnings,
      `copy c${index + 1} fell back to its own budget while Redis was running: ${JSON.stringify(warnings)}`,
    ).toEqual([]);
  });
}

/** Every whole second's calls at most `limit`, with the figures in the message. */
function expectPerSecond(counts: ReadonlyArray<[number, number]>, limit: number, what: string): void {
  for (const [second, count] of counts) {
    expect(count, `${what}: second ${second} carried ${count} calls (${figures(counts)})`).toBeLessThanOrEqual(limit);
  }
}

describe.skipIf(missing !== undefined)('the upstream budget shared through a real Redis by gateway processes', () => {
  afterEach(cleanUp, 30_000);

  it('three copies at UPSTREAM_RATE_LIMIT=20, mutations on each and an import, one key: no Unix second carries more than 20 of its calls at the upstream (retries included), and the busiest reach close to 20', async () => {
    const redis = await startRedisServer();
    // Every sixth call is answered 503 the first time: its retry is part of the traffic the budget counts.
    const upstream = await startBudgetUpstream({ delayMs: 20, failFirstAttemptEvery: 6 });
    const copies = await startCopies(3, { redis, upstream, env: { UPSTREAM_RATE_LIMIT: '20' } });
    await warmUp(copies);

    await nextSecond();
    const from = Date.now();
    const drivers = copies.map((copy, index) =>
      drive(copy, { name: `c${index + 1}`, key: KEY_A, workers: 2, contactsEach: 250 }),
    );
    const imported = await graphql(copies[2]!, IMPORT_CONTACTS, { listId: 7, contacts: contacts(3_000, 'imp') }, KEY_A);
    expect(imported.body.errors, JSON.stringify(imported.body)).toBeUndefined();
    await sleep(8_000);
    const outcomes = (await Promise.all(drivers.map((driver) => driver.stop()))).flat();
    const to = Date.now();
    const ended = await untilImportEnded(copies[0]!, imported.body.data.importContacts.id, KEY_A, 60_000);
    await upstream.settle();

    const calls = withKey(upstream.calls, KEY_A);
    const counts = perSecond(calls);
    const whole = wholeSeconds(counts, from, to);
    const sources = ['c1', 'c2', 'c3', 'import'].map(
      (source) => `${source} ${calls.filter((call) => copyOf(call) === source).length}`,
    );
    const waits = await Promise.all(copies.map((copy) => metric(copy, 'graph8_upstream_budget_waits_total')));
    console.log(
      `UPSTREAM_RATE_LIMIT=20, three copies: ${calls.length} calls with the key (${sources.join(', ')}), ` +
        `${retried(calls)} sent again after a 503; per Unix second: ${figures(counts)}; ` +
        `${outcomes.length} mutations; graph8_upstream_budget_waits_total per copy: ${waits.join(', ')}`,
    );

    expect(problemsOf(outcomes), describeProblems(outcomes)).toEqual([]);
    expect(ended).toMatchObject({ state: 'SUCCEEDED', total: 3_000, processed: 3_000, created: 3_000, failed: 0 });
    // Retries were part of the traffic the rule counts.
    expect(upstream.failedFirstAttempts()).toBeGreaterThan(0);
    expect(retried(calls)).toBeGreaterThan(0);
    expectNoFallback(copies);
    // The rule: no whole Unix second carries more than the limit, over every copy together.
    expectPerSecond(counts, 20, 'every copy together');
    // The budget is used: the demand is far above it, so the seconds come close to the limit.
    expect(Math.max(...counts.map(([, count]) => count))).toBeGreaterThanOrEqual(18);
    expect(whole.length).toBeGreaterThanOrEqual(6);
    expect(whole.filter((count) => count >= 15).length, figures(counts)).toBeGreaterThanOrEqual(whole.length / 2);
    for (const count of waits) expect(count).toBeGreaterThan(0);
  }, 150_000);

  const spentWindows: Array<{ name: string; kind: SpentWindow }> = [
    { name: 'a 429 with Retry-After: 2', kind: 'retry-after' },
    { name: 'X-RateLimit-Remaining: 0 with an X-RateLimit-Reset 2 s ahead', kind: 'reset' },
  ];

  it.each(spentWindows)(
    "$name answered to one copy pauses every copy's calls with that key until then, and not another key's",
    async ({ kind }) => {
      const redis = await startRedisServer();
      const upstream = await startBudgetUpstream({ delayMs: 15 });
      const copies = await startCopies(3, { redis, upstream, env: { UPSTREAM_RATE_LIMIT: '20' } });
      await warmUp(copies);
      const watch = await watchPauses(redis);

      await nextSecond();
      const drivers = copies.flatMap((copy, index) =>
        [KEY_A, KEY_B].map((key) => drive(copy, { name: `c${index + 1}`, key, workers: 2, contactsEach: 20 })),
      );
      await sleep(2_500);
      // The next call with key A from copy c1 is answered with the spent window.
      const pauseSeen = watch.next();
      const answered = await upstream.answerNext(KEY_A, 'c1.', kind);
      const pause = await Promise.race([
        pauseSeen,
        sleep(10_000).then(() => {
          const said = copies.map((copy, index) => {
            const lines = copy.logs().filter((line) => line.level >= WARN);
            return `c${index + 1}: ${JSON.stringify(lines.map((line) => ({ ...line, at: line.time - answered.answeredAt })))}`;
          });
          throw new Error(
            `the pause never reached Redis; what the copies logged at warn and above:\n${said.join('\n')}`,
          );
        }),
      ]);
      await until(
        'the pause is over and traffic with key A came back',
        () => (Date.now() > pause.resumeAt + 3_000 ? true : undefined),
        20_000,
      );
      const outcomes = (await Promise.all(drivers.map((driver) => driver.stop()))).flat();
      await upstream.settle();
      const expectedResume = answered.resumeAt;

      const callsA = withKey(upstream.calls, KEY_A);
      const callsB = withKey(upstream.calls, KEY_B);
      const t = answered.answeredAt;
      // Calls admitted before the pause was in Redis may still be on their way: a fifth of a second is left to them.
      const holdFrom = pause.seenAt + 200;
      const duringA = arrivedBetween(callsA, holdFrom, pause.resumeAt);
      const duringB = arrivedBetween(callsB, holdFrom, pause.resumeAt);
      const inFlightA = arrivedBetween(callsA, t + 1, holdFrom);
      const afterA = arrivedBetween(callsA, pause.resumeAt, pause.resumeAt + 3_000);
      const firstAfter = Math.min(...afterA.map((call) => call.receivedAt)) - pause.resumeAt;
      console.log(
        `pause after ${answered.call.path} to c1: answered at ${t % 100_000}, in Redis (seen) ${pause.seenAt - t} ms later, ` +
          `resume at +${pause.resumeAt - t} ms (expected +${expectedResume - t}); key A calls in flight that arrived ` +
          `before the hold: ${inFlightA.length}; during the pause: key A ${duringA.length}, key B ${duringB.length} ` +
          `(${['c1', 'c2', 'c3'].map((copy) => `${copy} ${duringB.filter((call) => copyOf(call) === copy).length}`).join(', ')}); ` +
          `after it: key A ${afterA.length}, the first ${firstAfter} ms after the resume; ` +
          `key A per second ${figures(perSecond(callsA))}; key B per second ${figures(perSecond(callsB))}`,
      );

      expect(problemsOf(outcomes), describeProblems(outcomes)).toEqual([]);
      // Redis holds the pause until the moment the answer named (a Retry-After counts from when c1 read the answer).
      expect(pause.resumeAt).toBeGreaterThanOrEqual(expectedResume);
      expect(pause.resumeAt).toBeLessThan(expectedResume + 1_000);
      expect(pause.resumeAt - holdFrom).toBeGreaterThan(1_000);
      // No call with key A arrives from any copy while the pause holds...
      expect(
        duringA.map((call) => `${call.requestId} at +${call.receivedAt - t} ms`),
        'calls with key A inside the pause',
      ).toEqual([]);
      // ...and only those already on their way when it began arrive before (at most one per worker with key A).
      expect(inFlightA.length).toBeLessThanOrEqual(6);
      // Before the pause, every copy was sending with key A; after it, every copy sends with key A again.
      for (const copy of ['c1', 'c2', 'c3']) {
        expect(arrivedBetween(callsA, t - 2_000, t).filter((call) => copyOf(call) === copy).length).toBeGreaterThan(0);
        expect(afterA.filter((call) => copyOf(call) === copy).length, `${copy} after the pause`).toBeGreaterThan(0);
      }
      // Key B is not paused: every copy keeps sending with it meanwhile.
      for (const copy of ['c1', 'c2', 'c3']) {
        expect(duringB.filter((call) => copyOf(call) === copy).length, `${copy}, key B, during`).toBeGreaterThan(0);
      }
      expectNoFallback(copies);
    },
    150_000,
  );

  it('Redis stopped mid-run: each copy falls back to its own budget (one warning, graph8_upstream_budget_shared 0) and every mutation still succeeds; once Redis is back the gauge returns to 1 and the copies together keep to the limit again', async () => {
    const redis = await startRedisServer();
    const upstream = await startBudgetUpstream({ delayMs: 20 });
    const copies = await startCopies(3, { redis, upstream, env: { UPSTREAM_RATE_LIMIT: '20' } });
    await warmUp(copies);
    const gauges = () => Promise.all(copies.map((copy) => metric(copy, 'graph8_upstream_budget_shared')));
    expect(await gauges()).toEqual([1, 1, 1]);

    await nextSecond();
    const drivers = copies.map((copy, index) =>
      drive(copy, { name: `c${index + 1}`, key: KEY_A, workers: 2, contactsEach: 150 }),
    );
    await sleep(3_000);
    const stoppedAt = Date.now();
    await redis.stop();
    const fellBack = await until(
      'every copy keeps its own budget',
      async () => ((await gauges()).every((gauge) => gauge === 0) ? Date.now() : undefined),
      15_000,
      100,
    );
    await sleep(4_500);
    const restartedAt = Date.now();
    await redis.start();
    const sharedAgain = await until(
      'every copy shares the budget again',
      async () => ((await gauges()).every((gauge) => gauge === 1) ? Date.now() : undefined),
      30_000,
      100,
    );
    await sleep(5_000);
    const outcomes = (await Promise.all(drivers.map((driver) => driver.stop()))).flat();
    const finalGauges = await gauges();
    await upstream.settle();

    const calls = withKey(upstream.calls, KEY_A);
    const counts = perSecond(calls);
    const before = counts.filter(([second]) => (second + 1) * 1000 <= stoppedAt);
    // A copy changes budgets in the middle of a second, and calls admitted late in that second may reach the upstream
    // in the next (see the report): the seconds counted begin a whole second after the last copy changed.
    const settled = (at: number) => (second: number) => second * 1000 >= at + 1000;
    const outage = counts.filter(([second]) => settled(fellBack)(second) && (second + 1) * 1000 <= restartedAt);
    const after = counts.filter(([second]) => settled(sharedAgain)(second));
    console.log(
      `Redis outage at UPSTREAM_RATE_LIMIT=20, three copies: all fell back ${fellBack - stoppedAt} ms after the stop, ` +
        `all shared again ${sharedAgain - restartedAt} ms after the restart; per Unix second before ${figures(before)}, ` +
        `during the outage ${figures(outage)}, after ${figures(after)}; ${outcomes.length} mutations`,
    );

    // Nothing failed because of the outage.
    expect(problemsOf(outcomes), describeProblems(outcomes)).toEqual([]);
    copies.forEach((copy, index) => {
      // Said once per copy, at warn, after the stop; and the sharing announced again after the restart.
      const warnings = logLines(copy, FALLBACK_WARNING);
      expect(warnings, `c${index + 1}'s fallback warnings`).toHaveLength(1);
      expect(warnings[0]!.level).toBe(WARN);
      expect(warnings[0]!.time).toBeGreaterThanOrEqual(stoppedAt);
      expect(logLines(copy, SHARED_NOTICE).filter((line) => line.time >= restartedAt).length).toBeGreaterThan(0);
    });
    expect(finalGauges).toEqual([1, 1, 1]);
    // Within a few seconds of Redis's return (a copy asks Redis again at most 5 s after it fell back).
    expect(sharedAgain - restartedAt).toBeLessThan(15_000);
    // While Redis is away each copy keeps a budget of its own: its share of the limit (20 / 3 copies = 6 a second),
    // the copies counted while Redis was there; each keeps sending. (Medians, not every second: a copy stalled on
    // this loaded machine sends late what it admitted, see the report; the strict rule is held where the copies
    // share, below.)
    expect(outage.length).toBeGreaterThanOrEqual(2);
    for (const copy of ['c1', 'c2', 'c3']) {
      const own = perSecond(calls.filter((call) => copyOf(call) === copy))
        .filter(([second]) => settled(fellBack)(second) && (second + 1) * 1000 <= restartedAt)
        .map(([, count]) => count)
        .sort((a, b) => a - b);
      const median = own[Math.floor(own.length / 2)] ?? 0;
      expect(median, `copy ${copy} alone while Redis was away: ${own.join(' ')}`).toBeLessThanOrEqual(6);
      expect(median, `copy ${copy} alone while Redis was away: ${own.join(' ')}`).toBeGreaterThan(0);
    }
    const outageMedian = outage.map(([, count]) => count).sort((a, b) => a - b)[Math.floor(outage.length / 2)] ?? 0;
    expect(outageMedian, figures(outage)).toBeLessThanOrEqual(20);
    expectPerSecond(before, 20, 'every copy together before the outage');
    expectPerSecond(after, 20, 'every copy together once Redis is back');
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...after.map(([, count]) => count))).toBeGreaterThanOrEqual(15);
  }, 180_000);

  it('graph8_upstream_budget_waits_total rises when calls wait, and at UPSTREAM_RATE_LIMIT=10 a mutation beside an import that saturates the budget answers within 2.5 s', async () => {
    const redis = await startRedisServer();
    const upstream = await startBudgetUpstream({ delayMs: 30 });
    const copies = await startCopies(2, {
      redis,
      upstream,
      env: { UPSTREAM_RATE_LIMIT: '10', MAX_ITEMS_PER_MUTATION: '20000' },
    });
    await warmUp(copies);
    const waitsOf = () => Promise.all(copies.map((copy) => metric(copy, 'graph8_upstream_budget_waits_total')));
    const waitSecondsOf = () =>
      Promise.all(copies.map((copy) => metric(copy, 'graph8_upstream_budget_wait_seconds_total')));
    const waitsBefore = await waitsOf();
    const waitSecondsBefore = await waitSecondsOf();

    // 150 chunks: at most 10 calls a second, the import runs for 15 s or more, on both copies' workers.
    const imported = await graphql(
      copies[0]!,
      IMPORT_CONTACTS,
      { listId: 7, contacts: contacts(15_000, 'bulk') },
      KEY_A,
    );
    expect(imported.body.errors, JSON.stringify(imported.body)).toBeUndefined();
    const importId = imported.body.data.importContacts.id as string;
    await until(
      'the import saturates the budget',
      () =>
        withKey(upstream.calls, KEY_A).filter((call) => copyOf(call) === 'import').length >= 25 ? true : undefined,
      30_000,
      50,
    );

    // Mutations at different moments of the second, one at a time, through either copy.
    const offsets = [0, 150, 300, 450, 600, 700, 800, 900];
    const latencies: number[] = [];
    for (const [index, offset] of offsets.entries()) {
      const now = Date.now();
      await sleep(1000 - (now % 1000) + offset);
      const copy = copies[index % 2]!;
      const requestId = `m${index}`;
      const started = performance.now();
      const answer = await graphql(
        copy,
        ASSERT_CONTACTS,
        { listId: 7, contacts: contacts(50, requestId) },
        KEY_A,
        requestId,
      );
      latencies.push(Math.round(performance.now() - started));
      expect(answer.body.errors, JSON.stringify(answer.body)).toBeUndefined();
      expect(answer.body.data.assertContacts).toMatchObject({ total: 50, created: 50, failed: 0 });
    }
    const during = await importOf(copies[1]!, importId, KEY_A);
    const waitsAfter = await waitsOf();
    const waitSecondsAfter = await waitSecondsOf();
    await upstream.settle();

    const calls = withKey(upstream.calls, KEY_A);
    const counts = perSecond(calls);
    console.log(
      `UPSTREAM_RATE_LIMIT=10 with an import of 150 chunks: mutation latencies ${latencies.join(', ')} ms ` +
        `(sent at ${offsets.join(', ')} ms into a second); per Unix second ${figures(counts)}; ` +
        `the import had ${during.processed} of 15000 rows done when the last mutation answered; ` +
        `graph8_upstream_budget_waits_total ${waitsBefore.join(', ')} -> ${waitsAfter.join(', ')}, ` +
        `wait seconds ${waitSecondsBefore.map((s) => s?.toFixed(1)).join(', ')} -> ${waitSecondsAfter.map((s) => s?.toFixed(1)).join(', ')}`,
    );

    // The import was running beside every mutation, and using the budget.
    expect(during.state).toBe('RUNNING');
    expect(Math.max(...counts.map(([, count]) => count))).toBeGreaterThanOrEqual(9);
    // IMPORT_RATE_SHARE keeps room for the mutation: a generous bound, the contract's rule gives at most a second or so.
    for (const latency of latencies) expect(latency, `latencies ${latencies.join(', ')} ms`).toBeLessThan(2_500);
    // Both copies' calls had to wait for the budget, and the counters say so.
    copies.forEach((_copy, index) => {
      expect(waitsAfter[index]!).toBeGreaterThan(waitsBefore[index] ?? 0);
      expect(waitSecondsAfter[index]!).toBeGreaterThan(waitSecondsBefore[index] ?? 0);
    });
    expectNoFallback(copies);
  }, 180_000);
});
