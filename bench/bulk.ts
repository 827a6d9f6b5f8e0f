import { request } from 'undici';
import { startPeer } from './lib/peer.js';
import {
  freePort,
  median,
  printTable,
  type RunningProcess,
  startBareProxy,
  startGatewayProcess,
  startMinimalUpstream,
} from './lib/processes.js';
import { BULK_ITEMS, bulkContacts, bulkMutationBody } from './lib/workload.js';

/**
 * 10,000 contacts in one assertContacts, 8 calls in flight, an upstream taking
 * 20 ms per batch call: 100 calls in 13 waves, so the ideal is 260 ms. Beside
 * it, alternating, the floor: a bare Node proxy making the same 100 calls with
 * no GraphQL, validation or folding (bench/lib/bare-proxy.ts). Then the
 * same 10,000 contacts through the peer's batch mutation, against the same
 * upstream (which refuses more than 100 items a call, as graph8 does).
 */
const CONCURRENCY = 8;
const UPSTREAM_LATENCY_MS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const IDEAL_MS = Math.ceil(BULK_ITEMS / 100 / CONCURRENCY) * UPSTREAM_LATENCY_MS;

const PEER_RUNS = 3;
const PEER_MUTATION = `mutation Bulk($input: assertContactsBatch_request_Input) {
  assertContactsBatch(input: $input) { data { total created updated } }
}`;

function peerBody(run: number): string {
  const contacts = bulkContacts(run).map((contact) => ({
    work_email: contact.workEmail,
    first_name: contact.firstName,
    last_name: contact.lastName,
    job_title: contact.jobTitle,
    company_domain: contact.companyDomain,
  }));
  return JSON.stringify({ query: PEER_MUTATION, variables: { input: { list_id: 1, contacts } } });
}

/** What the peer does with the same 10,000 contacts: its wall time, CPU and answer. */
async function measurePeer(upstreamPort: number): Promise<void> {
  const peer = await startPeer(upstreamPort);
  if (!peer) return;
  try {
    const walls: number[] = [];
    const cpus: number[] = [];
    let answer = '';
    for (let run = -1; run < PEER_RUNS; run++) {
      const cpuBefore = peer.process.cpuMs();
      const started = performance.now();
      const response = await request(`http://127.0.0.1:${peer.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
        body: peerBody(run + 200),
      });
      const result = (await response.body.json()) as {
        data?: { assertContactsBatch?: { data?: { total?: number } | null } | null } | null;
        errors?: Array<{ message: string }>;
      };
      if (run < 0) continue;
      walls.push(performance.now() - started);
      cpus.push(peer.process.cpuMs() - cpuBefore);
      const written = result.data?.assertContactsBatch?.data?.total ?? 0;
      answer = `HTTP ${response.statusCode}, ${written} written${result.errors?.[0] ? `: ${result.errors[0].message.slice(0, 90)}` : ''}`;
    }
    printTable('Bulk through the peer: the same 10,000 contacts in its batch mutation', [
      {
        runs: PEER_RUNS,
        'median wall ms': Math.round(median(walls)),
        'median peer CPU ms': Math.round(median(cpus)),
        answer,
      },
    ]);
  } finally {
    await peer.process.stop();
  }
}

interface BulkSide {
  readonly name: string;
  readonly port: number;
  readonly process: RunningProcess;
  readonly walls: number[];
  readonly cpus: number[];
}

/** One mutation of the 10,000 contacts through a side: its wall time and that process's CPU. */
async function measureOnce(side: BulkSide, payload: string): Promise<{ wall: number; cpu: number }> {
  const cpuBefore = side.process.cpuMs();
  const started = performance.now();
  const response = await request(`http://127.0.0.1:${side.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body: payload,
  });
  const result = (await response.body.json()) as {
    data?: { assertContacts?: { total: number; failed: number; chunks: number } };
  };
  const wall = performance.now() - started;
  const cpu = side.process.cpuMs() - cpuBefore;
  const summary = result.data?.assertContacts;
  if (summary?.failed !== 0 || summary.total !== BULK_ITEMS) {
    throw new Error(`bad answer from ${side.name}: ${JSON.stringify(result).slice(0, 300)}`);
  }
  return { wall, cpu };
}

async function main() {
  const gatewayPort = await freePort();
  const { port: upstreamPort, process: upstream } = await startMinimalUpstream(UPSTREAM_LATENCY_MS);
  let gateway: RunningProcess | undefined;
  let floor: { port: number; process: RunningProcess } | undefined;
  try {
    gateway = await startGatewayProcess({
      PORT: String(gatewayPort),
      GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
      UPSTREAM_CONCURRENCY: String(CONCURRENCY),
      NODE_ENV: 'production',
    });
    floor = await startBareProxy(upstreamPort, CONCURRENCY);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sides: BulkSide[] = [
      { name: 'gateway', port: gatewayPort, process: gateway, walls: [], cpus: [] },
      { name: 'bare node (floor)', ...floor, walls: [], cpus: [] },
    ];
    for (let run = -2; run < RUNS; run++) {
      for (const side of sides) {
        const { wall, cpu } = await measureOnce(side, bulkMutationBody(run + 100));
        if (run < 0) continue;
        side.walls.push(wall);
        side.cpus.push(cpu);
      }
    }
    const floorSide = sides[1] as BulkSide;
    printTable(
      `Bulk: one assertContacts of ${BULK_ITEMS} items, ${CONCURRENCY} in flight, ${UPSTREAM_LATENCY_MS} ms upstream; sides alternating, ${RUNS} runs after 2 warm-ups, medians (CPU from /proc, 10 ms ticks)`,
      sides.map((side) => ({
        side: side.name,
        'ideal ms': IDEAL_MS,
        'median wall ms': Math.round(median(side.walls)),
        'x ideal': (median(side.walls) / IDEAL_MS).toFixed(2),
        'x floor wall': (median(side.walls) / median(floorSide.walls)).toFixed(2),
        'min wall ms': Math.round(Math.min(...side.walls)),
        'median CPU ms': Math.round(median(side.cpus)),
        'x floor CPU': (median(side.cpus) / median(floorSide.cpus)).toFixed(2),
        'peak RSS MiB': Math.round(side.process.peakRssMiB()),
      })),
    );
    await gateway.stop();
    await floor.process.stop();
    await measurePeer(upstreamPort);
  } finally {
    await gateway?.stop();
    await floor?.process.stop();
    await upstream.stop();
  }
}

await main();
