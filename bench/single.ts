import autocannon from 'autocannon';
import { startPeer } from './lib/peer.js';
import {
  freePort,
  median,
  printTable,
  type RunningProcess,
  startBareProxy,
  startBareYoga,
  startGatewayProcess,
  startMinimalUpstream,
} from './lib/processes.js';
import { SINGLE_MUTATION_BODY } from './lib/workload.js';

/**
 * One assertContact through the gateway against the same PUT /contacts/assert
 * sent straight to the upstream (the limit: no gateway at all), with autocannon
 * at 10 and 50 connections. Beside them: the bare Node proxy (the floor: the
 * same call with no GraphQL), bare Yoga (the framework alone, making the same
 * call) and the peer. Sides alternate within one run, after a warm-up; medians
 * of the rounds are reported.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

const REST_BODY = JSON.stringify({
  list_id: 5,
  work_email: 'jane@acme.com',
  first_name: 'Jane',
  last_name: 'Doe',
  job_title: 'VP of Sales',
});

interface Side {
  readonly name: string;
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  readonly body: string;
  readonly cpuOf?: RunningProcess;
}

function hit(side: Side, connections: number, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: side.url,
        method: side.method,
        connections,
        duration: seconds,
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
        body: side.body,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function measureSides(sides: readonly Side[], title: string): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const connections of [10, 50]) {
    for (const side of sides) await hit(side, connections, 2);
    const samples = new Map<string, { rps: number[]; p50: number[]; p99: number[]; cpu: number[]; non2xx: number }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of sides) {
        const cpuBefore = side.cpuOf?.cpuMs() ?? 0;
        const result = await hit(side, connections, SECONDS);
        const cpu = side.cpuOf ? side.cpuOf.cpuMs() - cpuBefore : Number.NaN;
        const entry = samples.get(side.name) ?? { rps: [], p50: [], p99: [], cpu: [], non2xx: 0 };
        entry.rps.push(result.requests.average);
        entry.p50.push(result.latency.p50);
        entry.p99.push(result.latency.p99);
        entry.cpu.push((cpu * 1000) / Math.max(1, result.requests.total));
        entry.non2xx += result.non2xx + result.errors;
        samples.set(side.name, entry);
      }
    }
    const baseline = median(samples.get(sides[0]?.name ?? '')?.rps ?? [1]);
    const peerRps = samples.get('peer') ? median(samples.get('peer')?.rps ?? [1]) : undefined;
    for (const side of sides) {
      const entry = samples.get(side.name);
      if (!entry) continue;
      rows.push({
        connections,
        side: side.name,
        'req/s': Math.round(median(entry.rps)),
        [`% of ${sides[0]?.name}`]: `${((median(entry.rps) / baseline) * 100).toFixed(1)}%`,
        'x peer': peerRps ? `${(median(entry.rps) / peerRps).toFixed(2)}x` : '-',
        'p50 ms': median(entry.p50),
        'p99 ms': median(entry.p99),
        'CPU us/req': Number.isNaN(median(entry.cpu)) ? '-' : Math.round(median(entry.cpu)),
        'non-2xx': entry.non2xx,
      });
    }
  }
  printTable(title, rows);
}

async function startGatewayOn(upstreamPort: number): Promise<{ port: number; process: RunningProcess }> {
  const port = await freePort();
  const child = await startGatewayProcess({
    PORT: String(port),
    GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
    NODE_ENV: 'production',
  });
  return { port, process: child };
}

const PEER_BODY = JSON.stringify({
  query: 'mutation Assert($c: ContactAssert_Input) { assertContact(input: $c) { data { action count } } }',
  variables: {
    c: { list_id: 5, work_email: 'jane@acme.com', first_name: 'Jane', last_name: 'Doe', job_title: 'VP of Sales' },
  },
});

const upstream = await startMinimalUpstream();
const gateway = await startGatewayOn(upstream.port);
const bare = await startBareProxy(upstream.port);
const bareYoga = await startBareYoga(upstream.port);
const peer = await startPeer(upstream.port);
try {
  await measureSides(
    [
      {
        name: 'direct',
        url: `http://127.0.0.1:${upstream.port}/api/v1/contacts/assert`,
        method: 'PUT',
        body: REST_BODY,
      },
      {
        name: 'gateway',
        url: `http://127.0.0.1:${gateway.port}/graphql`,
        method: 'POST',
        body: SINGLE_MUTATION_BODY,
        cpuOf: gateway.process,
      },
      {
        name: 'bare node',
        url: `http://127.0.0.1:${bare.port}/graphql`,
        method: 'POST',
        body: SINGLE_MUTATION_BODY,
        cpuOf: bare.process,
      },
      {
        name: 'bare Yoga',
        url: `http://127.0.0.1:${bareYoga.port}/graphql`,
        method: 'POST',
        body: SINGLE_MUTATION_BODY,
        cpuOf: bareYoga.process,
      },
      ...(peer
        ? [
            {
              name: 'peer',
              url: `http://127.0.0.1:${peer.port}/graphql`,
              method: 'POST' as const,
              body: PEER_BODY,
              cpuOf: peer.process,
            },
          ]
        : []),
    ],
    `Single assertContact: gateway vs the upstream alone, a bare Node proxy (the floor), bare Yoga (the framework alone) and the peer (GraphQL Mesh + Hive Gateway) (${ROUNDS} alternating rounds of ${SECONDS} s, medians; CPU from /proc)`,
  );
} finally {
  await peer?.process.stop();
  await bareYoga.process.stop();
  await bare.process.stop();
  await gateway.process.stop();
  await upstream.process.stop();
}
