import { request } from 'undici';
import {
  freePort,
  median,
  printTable,
  type RunningProcess,
  startGatewayProcess,
  startNodeProcess,
} from './lib/processes.js';

/**
 * 10,000 contacts in one assertContacts, 8 calls in flight, an upstream taking
 * 20 ms per batch call: 100 calls in 13 waves, so the ideal is 260 ms.
 */
const ITEMS = 10_000;
const CONCURRENCY = 8;
const UPSTREAM_LATENCY_MS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const IDEAL_MS = Math.ceil(ITEMS / 100 / CONCURRENCY) * UPSTREAM_LATENCY_MS;

const MUTATION = `mutation Bulk($listId: Int!, $contacts: [ContactInput!]!) {
  assertContacts(listId: $listId, contacts: $contacts) { total created updated failed chunks }
}`;

function body(run: number): string {
  const contacts = Array.from({ length: ITEMS }, (_, i) => ({
    workEmail: `person${i}.run${run}@bulk-bench.example`,
    firstName: 'Bench',
    lastName: `Person ${i}`,
    jobTitle: 'Engineer',
    companyDomain: 'bulk-bench.example',
  }));
  return JSON.stringify({ query: MUTATION, variables: { listId: 1, contacts } });
}

async function main() {
  const upstreamPort = await freePort();
  const gatewayPort = await freePort();
  const upstream = await startNodeProcess(
    'bench/lib/minimal-upstream.ts',
    { PORT: String(upstreamPort), LATENCY_MS: String(UPSTREAM_LATENCY_MS) },
    /listening/,
  );
  let gateway: RunningProcess | undefined;
  try {
    gateway = await startGatewayProcess({
      PORT: String(gatewayPort),
      GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
      UPSTREAM_CONCURRENCY: String(CONCURRENCY),
      NODE_ENV: 'production',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rows: Array<Record<string, string | number>> = [];
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let run = -2; run < RUNS; run++) {
      const payload = body(run + 100);
      const cpuBefore = gateway.cpuMs();
      const started = performance.now();
      const response = await request(`http://127.0.0.1:${gatewayPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
        body: payload,
      });
      const result = (await response.body.json()) as {
        data?: { assertContacts?: { total: number; failed: number; chunks: number } };
      };
      const wall = performance.now() - started;
      const cpu = gateway.cpuMs() - cpuBefore;
      const summary = result.data?.assertContacts;
      if (summary?.failed !== 0 || summary.total !== ITEMS)
        throw new Error(`bad answer: ${JSON.stringify(result).slice(0, 300)}`);
      if (run < 0) continue;
      walls.push(wall);
      cpus.push(cpu);
    }
    rows.push({
      case: `${ITEMS} contacts, ${CONCURRENCY} in flight, ${UPSTREAM_LATENCY_MS} ms upstream`,
      runs: RUNS,
      'ideal ms': IDEAL_MS,
      'median wall ms': Math.round(median(walls)),
      'x ideal': (median(walls) / IDEAL_MS).toFixed(2),
      'min wall ms': Math.round(Math.min(...walls)),
      'median gateway CPU ms': Math.round(median(cpus)),
      'peak gateway RSS MiB': Math.round(gateway.peakRssMiB()),
    });
    printTable('Bulk: one assertContacts of 10,000 items (gateway CPU from /proc, 10 ms ticks)', rows);
  } finally {
    await gateway?.stop();
    await upstream.stop();
  }
}

await main();
