import autocannon from 'autocannon';
import { freePort, median, printTable, startGatewayProcess } from './lib/processes.js';

/**
 * `npm run load`: mixed single and batch mutations at 100+ connections
 * against the gateway on its embedded simulator. Fails (exit 1) on any non-2xx
 * or when the gateway's old generation (old and large-object spaces, from its
 * own /metrics, one sample a second) is more than 20% larger at its lowest in
 * the last quarter of the run than at its lowest in the first: the lowest
 * points follow major collections, so they climb only with what stays live.
 * RSS is reported beside it but not judged: the young generation grows to its
 * 2 x 64 MiB over a run, which moved quarter medians of RSS by up to 30% in
 * runs that did not leak.
 */
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.LOAD_WARMUP_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 120);
// A bounded key space: after the warm-up the simulator updates records instead of storing new ones.
const PEOPLE = 5_000;

const single = (n: number) =>
  JSON.stringify({
    query: 'mutation($c: ContactInput!) { assertContact(listId: 1, contact: $c) { action count } }',
    variables: { c: { workEmail: `load${n % PEOPLE}@acme.com`, firstName: `P${n}` } },
  });
const batch = (n: number) =>
  JSON.stringify({
    query: 'mutation($c: [ContactInput!]!) { assertContacts(listId: 1, contacts: $c) { total failed } }',
    variables: {
      c: Array.from({ length: 50 }, (_, i) => ({
        workEmail: `load${(n * 50 + i) % PEOPLE}@acme.com`,
        jobTitle: 'Load',
      })),
    },
  });

/** The old generation in use, in MiB, as the gateway's /metrics reports it. */
async function oldGenerationMiB(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let bytes = 0;
  for (const match of text.matchAll(/^nodejs_heap_space_size_used_bytes\{space="(?:old|large_object)"\} (\d+)$/gm)) {
    bytes += Number(match[1]);
  }
  return bytes / 1024 / 1024;
}

function run(port: number, seconds: number): Promise<autocannon.Result> {
  let counter = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json', authorization: 'Bearer load-key' },
            setupRequest: (request) => {
              counter++;
              // One request in ten is a 50-item batch.
              return { ...request, body: counter % 10 === 0 ? batch(counter) : single(counter) };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const port = await freePort();
const gateway = await startGatewayProcess({ PORT: String(port) });
await new Promise((resolve) => setTimeout(resolve, 1_000));
try {
  await run(port, WARMUP_SECONDS);
  const rssSamples: number[] = [];
  const oldGenerationSamples: number[] = [];
  const sampler = setInterval(() => {
    rssSamples.push(gateway.rssMiB());
    void oldGenerationMiB(port).then((mib) => oldGenerationSamples.push(mib));
  }, 1_000);
  const result = await run(port, SECONDS);
  clearInterval(sampler);
  const firstQuarter = (samples: readonly number[]) => samples.slice(0, Math.max(1, Math.floor(samples.length / 4)));
  const lastQuarter = (samples: readonly number[]) => samples.slice(-Math.max(1, Math.floor(samples.length / 4)));
  const rssFirstQuarter = median(firstQuarter(rssSamples));
  const rssLastQuarter = median(lastQuarter(rssSamples));
  const oldFloorFirst = Math.min(...firstQuarter(oldGenerationSamples));
  const oldFloorLast = Math.min(...lastQuarter(oldGenerationSamples));
  const growth = (oldFloorLast - oldFloorFirst) / oldFloorFirst;
  printTable(
    `Load: ${SECONDS} s, ${CONNECTIONS} connections, 9 single assertContact to 1 assertContacts of 50 (embedded simulator)`,
    [
      {
        requests: result.requests.total,
        'req/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        '2xx': result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        'RSS first quarter MiB': Math.round(rssFirstQuarter),
        'RSS last quarter MiB': Math.round(rssLastQuarter),
        'peak RSS MiB': Math.round(gateway.peakRssMiB()),
        'old gen lowest, first quarter MiB': Math.round(oldFloorFirst),
        'old gen lowest, last quarter MiB': Math.round(oldFloorLast),
        'old gen growth': `${(growth * 100).toFixed(1)}%`,
      },
    ],
  );
  const fivexx = result['5xx'] ?? 0;
  if (fivexx > 0 || result.non2xx > 0 || result.errors > 0 || growth > 0.2) {
    console.log(
      `FAILED: ${fivexx} 5xx, ${result.non2xx} non-2xx, ${result.errors} errors, old generation growth ${(growth * 100).toFixed(1)}%`,
    );
    process.exitCode = 1;
  }
} finally {
  await gateway.stop();
}
