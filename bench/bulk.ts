import { request } from 'undici';
import { startPeer } from './lib/peer.js';
import {
  freePort,
  median,
  printTable,
  type RunningProcess,
  startGatewayProcess,
  startMinimalUpstream,
} from './lib/processes.js';

/**
 * 10,000 contacts in one assertContacts, 8 calls in flight, an upstream taking
 * 20 ms per batch call: 100 calls in 13 waves, so the ideal is 260 ms. Then the
 * same 10,000 contacts through the peer's batch mutation, against the same
 * upstream (which refuses more than 100 items a call, as graph8 does).
 */
const ITEMS = 10_000;
const CONCURRENCY = 8;
const UPSTREAM_LATENCY_MS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const IDEAL_MS = Math.ceil(ITEMS / 100 / CONCURRENCY) * UPSTREAM_LATENCY_MS;

const MUTATION = `mutation Bulk($listId: Int!, $contacts: [ContactInput!]!) {
  assertContacts(listId: $listId, contacts: $contacts) { total created updated failed chunks }
}`;

const PEER_RUNS = 3;
const PEER_MUTATION = `mutation Bulk($input: assertContactsBatch_request_Input) {
  assertContactsBatch(input: $input) { data { total created updated } }
}`;

function contactsFor(run: number) {
  return Array.from({ length: ITEMS }, (_, i) => ({
    workEmail: `person${i}.run${run}@bulk-bench.example`,
    firstName: 'Bench',
    lastName: `Person ${i}`,
    jobTitle: 'Engineer',
    companyDomain: 'bulk-bench.example',
  }));
}

function body(run: number): string {
  return JSON.stringify({ query: MUTATION, variables: { listId: 1, contacts: contactsFor(run) } });
}

function peerBody(run: number): string {
  const contacts = contactsFor(run).map((contact) => ({
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

async function main() {
  const gatewayPort = await freePort();
  const { port: upstreamPort, process: upstream } = await startMinimalUpstream(UPSTREAM_LATENCY_MS);
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
    await gateway.stop();
    await measurePeer(upstreamPort);
  } finally {
    await gateway?.stop();
    await upstream.stop();
  }
}

await main();
