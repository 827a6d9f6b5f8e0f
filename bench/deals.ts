import { Pool, request } from 'undici';
import {
  freePort,
  median,
  printTable,
  type RunningProcess,
  startGatewayProcess,
  startNodeProcess,
} from './lib/processes.js';

/**
 * 2,000 distinct deals in one assertDeals, 8 calls in flight, an upstream
 * answering each PUT /deals/assert after 20 ms (bench/lib/deals-upstream.ts,
 * which counts the calls and the most in flight). graph8 has no batch endpoint
 * for deals, so that is 2,000 calls in 250 waves: the ideal is 5 s, the
 * target within 1.3x of it. Every run checks that each deal was sent exactly
 * once and that exactly 8 calls were in flight at the most. Beside it,
 * alternating, the floor: the same 2,000 PUTs sent by this process itself,
 * 8 at a time over a keep-alive pool, with no gateway at all.
 */
const DEALS = 2_000;
const CONCURRENCY = 8;
const UPSTREAM_LATENCY_MS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARM_UPS = 1;
const IDEAL_MS = Math.ceil(DEALS / CONCURRENCY) * UPSTREAM_LATENCY_MS;
const TARGET_RATIO = 1.3;

const MUTATION = `mutation Deals($deals: [DealInput!]!) {
  assertDeals(deals: $deals) { total created updated failed deduplicated results { dealId } errors { index code message } }
}`;

/** `run` makes every run's deals new ones (distinct names), so each run creates rather than updates. */
function dealsBody(run: number): string {
  const deals = Array.from({ length: DEALS }, (_, i) => ({
    name: `Bench deal ${i} run ${run}`,
    companyId: `company-${i % 50}`,
    amount: 1000 + i,
    currency: 'USD',
    closeDate: '2026-12-31',
    stageId: 'stage-1',
  }));
  return JSON.stringify({ query: MUTATION, variables: { deals } });
}

interface UpstreamStats {
  readonly calls: number;
  readonly distinct: number;
  readonly repeated: number;
  readonly maxInFlight: number;
  readonly inFlight: number;
}

interface DealsAnswer {
  data?: {
    assertDeals?: {
      total: number;
      created: number;
      updated: number;
      failed: number;
      deduplicated: number;
      results: Array<{ dealId: string } | null>;
      errors: Array<{ index: number; code: string; message: string }>;
    };
  } | null;
  errors?: Array<{ message: string }>;
}

interface RunResult {
  readonly wall: number;
  readonly cpu: number;
  readonly stats: UpstreamStats;
  /** What was wrong with this run's answer or calls; empty when nothing. */
  readonly problems: string[];
}

async function upstreamStats(upstreamPort: number): Promise<UpstreamStats> {
  const response = await request(`http://127.0.0.1:${upstreamPort}/stats`);
  return (await response.body.json()) as UpstreamStats;
}

async function resetUpstream(upstreamPort: number): Promise<void> {
  const response = await request(`http://127.0.0.1:${upstreamPort}/reset`, { method: 'POST' });
  await response.body.dump();
}

async function measureOnce(
  gateway: RunningProcess,
  gatewayPort: number,
  upstreamPort: number,
  run: number,
): Promise<RunResult> {
  const payload = dealsBody(run);
  await resetUpstream(upstreamPort);
  const cpuBefore = gateway.cpuMs();
  const started = performance.now();
  const response = await request(`http://127.0.0.1:${gatewayPort}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body: payload,
  });
  const answer = (await response.body.json()) as DealsAnswer;
  const wall = performance.now() - started;
  const cpu = gateway.cpuMs() - cpuBefore;
  const stats = await upstreamStats(upstreamPort);

  const problems: string[] = [];
  const result = answer.data?.assertDeals;
  if (response.statusCode !== 200 || !result) {
    problems.push(`HTTP ${response.statusCode}: ${JSON.stringify(answer).slice(0, 300)}`);
  } else {
    if (result.total !== DEALS || result.created !== DEALS || result.failed !== 0 || result.deduplicated !== 0) {
      problems.push(
        `answer total ${result.total}, created ${result.created}, updated ${result.updated}, failed ${result.failed}, deduplicated ${result.deduplicated}${result.errors[0] ? ` (first error: ${result.errors[0].code} ${result.errors[0].message})` : ''}`,
      );
    }
    const ids = new Set(result.results.map((item) => item?.dealId));
    if (result.results.length !== DEALS || ids.has(undefined) || ids.size !== DEALS) {
      problems.push(`${result.results.length} results with ${ids.size} distinct deal ids`);
    }
  }
  if (stats.calls !== DEALS || stats.distinct !== DEALS || stats.repeated !== 0) {
    problems.push(
      `upstream saw ${stats.calls} calls for ${stats.distinct} deals, ${stats.repeated} sent more than once`,
    );
  }
  if (stats.maxInFlight !== CONCURRENCY) {
    problems.push(`upstream max in flight ${stats.maxInFlight}, not ${CONCURRENCY}`);
  }
  return { wall, cpu, stats, problems };
}

/** The floor: the same calls, 8 workers over a keep-alive pool, straight to the upstream. */
async function measureFloor(pool: Pool, upstreamPort: number, run: number): Promise<RunResult> {
  const bodies = (
    JSON.parse(dealsBody(run)) as { variables: { deals: Array<Record<string, unknown>> } }
  ).variables.deals.map((deal) =>
    JSON.stringify({
      name: deal.name,
      company_id: deal.companyId,
      amount: deal.amount,
      currency: deal.currency,
      close_date: deal.closeDate,
      stage_id: deal.stageId,
    }),
  );
  await resetUpstream(upstreamPort);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const response = await pool.request({
          path: '/api/v1/deals/assert',
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
          body,
        });
        await response.body.json();
      }
    }),
  );
  const wall = performance.now() - started;
  const stats = await upstreamStats(upstreamPort);
  const problems: string[] = [];
  if (stats.calls !== DEALS || stats.distinct !== DEALS || stats.maxInFlight !== CONCURRENCY) {
    problems.push(`floor: ${stats.calls} calls for ${stats.distinct} deals, max in flight ${stats.maxInFlight}`);
  }
  return { wall, cpu: Number.NaN, stats, problems };
}

async function main() {
  const upstreamPort = await freePort();
  const upstream = await startNodeProcess(
    'bench/lib/deals-upstream.ts',
    { PORT: String(upstreamPort), LATENCY_MS: String(UPSTREAM_LATENCY_MS) },
    /listening/,
  );
  const floorPool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: CONCURRENCY });
  const gatewayPort = await freePort();
  let gateway: RunningProcess | undefined;
  try {
    gateway = await startGatewayProcess({
      PORT: String(gatewayPort),
      GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
      UPSTREAM_CONCURRENCY: String(CONCURRENCY),
      NODE_ENV: 'production',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const running = gateway;
    const sides: Array<{ name: string; measure: (run: number) => Promise<RunResult>; results: RunResult[] }> = [
      { name: 'gateway', measure: (run) => measureOnce(running, gatewayPort, upstreamPort, run), results: [] },
      { name: 'direct, no gateway (floor)', measure: (run) => measureFloor(floorPool, upstreamPort, run), results: [] },
    ];
    for (let run = -WARM_UPS; run < RUNS; run++) {
      for (const side of sides) {
        const result = await side.measure(run + 100);
        if (run >= 0) side.results.push(result);
      }
    }
    printTable(
      `Deals in bulk: one assertDeals of ${DEALS} distinct deals, ${CONCURRENCY} in flight, ${UPSTREAM_LATENCY_MS} ms upstream per call; ideal ${IDEAL_MS} ms (${DEALS / CONCURRENCY} waves), target ${TARGET_RATIO}x; sides alternating, ${RUNS} runs after ${WARM_UPS} warm-up (CPU from /proc, 10 ms ticks)`,
      sides.map(({ name, results }) => {
        const walls = results.map((result) => result.wall);
        const medianWall = median(walls);
        const cpu = median(results.map((result) => result.cpu));
        return {
          side: name,
          runs: results.length,
          'ideal ms': IDEAL_MS,
          'median wall ms': Math.round(medianWall),
          'min wall ms': Math.round(Math.min(...walls)),
          'max wall ms': Math.round(Math.max(...walls)),
          'x ideal': (medianWall / IDEAL_MS).toFixed(2),
          target: medianWall <= IDEAL_MS * TARGET_RATIO ? 'met' : 'missed',
          'median gateway CPU ms': Number.isNaN(cpu) ? '-' : Math.round(cpu),
          'upstream max in flight': [...new Set(results.map((result) => result.stats.maxInFlight))].join('/'),
          'calls per run': [...new Set(results.map((result) => result.stats.calls))].join('/'),
        };
      }),
    );
    console.log(`gateway peak RSS ${Math.round(gateway.peakRssMiB())} MiB`);
    const problems = sides.flatMap(({ name, results }) =>
      results.flatMap((result, run) => result.problems.map((problem) => `${name}, run ${run + 1}: ${problem}`)),
    );
    if (problems.length > 0) throw new Error(`deals benchmark checks failed:\n${problems.join('\n')}`);
    console.log(
      `checks passed: every run made ${DEALS} calls, each deal once, at most ${CONCURRENCY} in flight and ${CONCURRENCY} reached`,
    );
  } finally {
    await gateway?.stop();
    await floorPool.close();
    await upstream.stop();
  }
}

await main();
