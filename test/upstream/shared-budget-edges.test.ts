import { createConnection, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisServerMissing, startRedisServer } from '../helpers/redis-server.js';
import {
  ASSERT_CONTACTS,
  cleanUp,
  contacts,
  copyOf,
  drive,
  figures,
  graphql,
  KEY_A,
  logLines,
  metric,
  nextSecond,
  perSecond,
  problemsOf,
  startBudgetUpstream,
  startCopies,
  warmUp,
} from './shared-budget-cluster.js';

/**
 * The shared budget at its edges, each once a repro of something it got
 * wrong: a Redis that answers late, the second Redis goes away in, a limit of
 * one call a second beside an import, an idle copy's gauge. Each starts its
 * own Redis, upstream and copies.
 */

const missing = redisServerMissing('the shared budget at its edges');
const FALLBACK_WARNING = /^Redis cannot be reached/;

interface StallingProxy {
  /** redis://127.0.0.1:<port>, forwarding to the Redis behind it. */
  readonly url: string;
  /** Holds every byte both ways for `ms`, then delivers them in order: a link that answers late. */
  stall(ms: number): void;
  close(): Promise<void>;
}

const proxies = new Set<StallingProxy>();

/** A loopback TCP proxy in front of one Redis, for a late link on one copy only (CLIENT PAUSE holds every client). */
async function startStallingProxy(redisUrl: string): Promise<StallingProxy> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let held: Array<() => void> | undefined;
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => (held ? held.push(() => to.write(chunk)) : to.write(chunk)));
  const server = createServer((client) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(socket);
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const proxy: StallingProxy = {
    url: `redis://127.0.0.1:${port}`,
    stall(ms) {
      held = [];
      setTimeout(() => {
        const delivered = held ?? [];
        held = undefined;
        for (const deliver of delivered) deliver();
      }, ms);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      proxies.delete(proxy);
    },
  };
  proxies.add(proxy);
  return proxy;
}

describe.skipIf(missing !== undefined)('the shared budget at its edges', () => {
  afterEach(async () => {
    await Promise.all([...proxies].map((proxy) => proxy.close()));
    await cleanUp();
  }, 30_000);

  it('a Redis that answers late once (CLIENT PAUSE 1.5 s): copies that fall back keep to their share, and no second goes past the limit', async () => {
    const redis = await startRedisServer();
    const upstream = await startBudgetUpstream({ delayMs: 20 });
    const copies = await startCopies(3, { redis, upstream, env: { UPSTREAM_RATE_LIMIT: '20' } });
    await warmUp(copies);
    await nextSecond();
    const drivers = copies.map((copy, index) =>
      drive(copy, { name: `c${index + 1}`, key: KEY_A, workers: 2, contactsEach: 150 }),
    );
    await sleep(3_000);
    const admin = new Redis(redis.url);
    const pausedAt = Date.now();
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    admin.disconnect();
    await sleep(7_000);
    const outcomes = (await Promise.all(drivers.map((driver) => driver.stop()))).flat();
    await upstream.settle();
    const counts = perSecond(upstream.calls.filter((call) => call.key === KEY_A));
    const gauges = await Promise.all(copies.map((copy) => metric(copy, 'graph8_upstream_budget_shared')));
    const warnings = copies.map((copy) => logLines(copy, FALLBACK_WARNING).map((line) => line.time - pausedAt));
    console.log(
      `CLIENT PAUSE 1500 ms at ${pausedAt % 100_000}: per Unix second ${figures(counts)}; fallback warnings ` +
        `(ms after the pause) ${JSON.stringify(warnings)}; gauges at the end ${gauges.join(', ')}`,
    );
    expect(problemsOf(outcomes)).toEqual([]);
    expect(redis.running()).toBe(true);
    // A copy that fell back (Redis answered past its 1 s timeout) keeps to its share of the limit: every second within it.
    for (const [second, count] of counts) expect(count, `second ${second}: ${figures(counts)}`).toBeLessThanOrEqual(20);
  }, 120_000);

  it('a late link to Redis on one copy only: it falls back alone to its share, the copies still sharing set that share aside, and no second goes past the limit', async () => {
    const redis = await startRedisServer();
    const proxy = await startStallingProxy(redis.url);
    const upstream = await startBudgetUpstream({ delayMs: 20 });
    const env = { UPSTREAM_RATE_LIMIT: '20' };
    const copies = [
      ...(await startCopies(1, { redis: proxy, upstream, env })),
      ...(await startCopies(2, { redis, upstream, env })),
    ];
    await warmUp(copies);
    await nextSecond();
    const drivers = copies.map((copy, index) =>
      drive(copy, { name: `c${index + 1}`, key: KEY_A, workers: 2, contactsEach: 150 }),
    );
    await sleep(3_000);
    const stalledAt = Date.now();
    proxy.stall(1_500);
    await sleep(7_000);
    const outcomes = (await Promise.all(drivers.map((driver) => driver.stop()))).flat();
    await upstream.settle();
    const calls = upstream.calls.filter((call) => call.key === KEY_A);
    const counts = perSecond(calls);
    const fromLateCopy = new Map(perSecond(calls.filter((call) => copyOf(call) === 'c1')));
    const warnings = copies.map((copy) => logLines(copy, FALLBACK_WARNING).map((line) => line.time - stalledAt));
    console.log(
      `copy 1's link stalled 1500 ms at ${stalledAt % 100_000}: per Unix second ${figures(counts)}, copy 1's ` +
        `${counts.map(([second]) => fromLateCopy.get(second) ?? 0).join(' ')}; fallback warnings (ms after the stall) ` +
        JSON.stringify(warnings),
    );
    expect(problemsOf(outcomes)).toEqual([]);
    expect(warnings.map((times) => times.length)).toEqual([1, 0, 0]);
    // Copy 1 on its own (from its fallback to 5 s later): at most its share, floor(20 / 3), a second.
    const fellBackAt = stalledAt + warnings[0]![0]!;
    const alone = counts.filter(([second]) => second * 1000 > fellBackAt && (second + 1) * 1000 < fellBackAt + 5_000);
    for (const [second] of alone) expect(fromLateCopy.get(second) ?? 0).toBeLessThanOrEqual(6);
    for (const [second, count] of counts) expect(count, `second ${second}: ${figures(counts)}`).toBeLessThanOrEqual(20);
  }, 120_000);

  it("in the second Redis goes away, a copy's own budget waits for the next second: no more than the limit", async () => {
    const redis = await startRedisServer();
    const upstream = await startBudgetUpstream({ delayMs: 5 });
    const [copy] = await startCopies(1, { redis, upstream, env: { UPSTREAM_RATE_LIMIT: '10' } });
    await warmUp([copy!]);
    await nextSecond(0);
    // A mutation (one call) every 20 ms, whatever the answers: the budget is spent early in every second.
    const pending: Array<Promise<unknown>> = [];
    const until = Date.now() + 3_800;
    const traffic = (async () => {
      for (let n = 0; Date.now() < until; n++) {
        pending.push(
          graphql(copy!, ASSERT_CONTACTS, { listId: 7, contacts: contacts(1, `t${n}`) }, KEY_A, `c1.a.0.${n}`),
        );
        await sleep(20);
      }
    })();
    // Half-way into the third second, whose shared budget is spent, Redis goes away.
    await sleep(2_500 - (Date.now() % 1000));
    const stoppedAt = Date.now();
    await redis.stop();
    await traffic;
    const answers = (await Promise.all(pending)) as Array<{ body: { errors?: unknown } }>;
    await upstream.settle();
    const counts = perSecond(upstream.calls.filter((call) => call.key === KEY_A));
    console.log(
      `limit 10, Redis stopped ${stoppedAt % 1000} ms into a second: per Unix second ${figures(counts)}; ` +
        `seconds ${counts.map(([second]) => second - Math.floor(stoppedAt / 1000)).join(' ')} (0: the stop's)`,
    );
    for (const answer of answers) expect(answer.body.errors).toBeUndefined();
    // The contract: without Redis, the limit holds per process.
    for (const [second, count] of counts) expect(count, `second ${second}: ${figures(counts)}`).toBeLessThanOrEqual(10);
  }, 60_000);
});

describe.skipIf(missing !== undefined)('the shared budget at its edges: imports', () => {
  afterEach(cleanUp, 30_000);

  it('UPSTREAM_RATE_LIMIT=1: a mutation beside an import is answered within 2.5 s (a mutation turned away is not raced by the import in the next second)', async () => {
    const redis = await startRedisServer();
    const upstream = await startBudgetUpstream({ delayMs: 10 });
    const [copy] = await startCopies(1, { redis, upstream, env: { UPSTREAM_RATE_LIMIT: '1' } });
    await warmUp([copy!]);
    const imported = await graphql(
      copy!,
      'mutation($c: [ContactInput!]!) { importContacts(listId: 7, contacts: $c) { id } }',
      { c: contacts(3_000, 'slow') },
      KEY_A,
    );
    expect(imported.body.errors).toBeUndefined();
    await sleep(3_000);
    const latencies: number[] = [];
    for (let n = 0; n < 4; n++) {
      const started = Date.now();
      const answer = await graphql(
        copy!,
        ASSERT_CONTACTS,
        { listId: 7, contacts: contacts(1, `m${n}`) },
        KEY_A,
        `c1.a.0.${n}`,
      );
      latencies.push(Date.now() - started);
      expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
    }
    await upstream.settle();
    const counts = perSecond(upstream.calls.filter((call) => call.key === KEY_A));
    console.log(
      `limit 1 beside an import: mutation latencies ${latencies.join(', ')} ms; per second ${figures(counts)}`,
    );
    for (const latency of latencies) expect(latency).toBeLessThan(2_500);
  }, 120_000);
});

describe.skipIf(missing !== undefined)('the shared budget at its edges: the gauge', () => {
  afterEach(cleanUp, 30_000);

  it('graph8_upstream_budget_shared turns 0 on an idle copy when Redis goes down, not only on its next call', async () => {
    const redis = await startRedisServer();
    const upstream = await startBudgetUpstream({ delayMs: 10 });
    const [copy] = await startCopies(1, { redis, upstream, env: { UPSTREAM_RATE_LIMIT: '10' } });
    await redis.stop();
    await sleep(3_000);
    const idle = await metric(copy!, 'graph8_upstream_budget_shared');
    const answer = await graphql(copy!, ASSERT_CONTACTS, { listId: 7, contacts: contacts(1, 'g') }, KEY_A, 'c1.a.0.0');
    const afterCall = await metric(copy!, 'graph8_upstream_budget_shared');
    console.log(`Redis down 3 s: gauge on the idle copy ${idle}; after one mutation ${afterCall}`);
    expect(answer.body.errors).toBeUndefined();
    expect(afterCall).toBe(0);
    expect(idle).toBe(0);
  }, 60_000);
});
