import { request } from 'undici';
import { freePort, printTable, startGatewayProcess, startMinimalUpstream } from './lib/processes.js';

/** Peak RSS of the gateway with ten 10,000-item assertContacts in flight at once (20 ms upstream). */
const MUTATIONS = 10;
const ITEMS = 10_000;

const gatewayPort = await freePort();
const { port: upstreamPort, process: upstream } = await startMinimalUpstream(20);
const gateway = await startGatewayProcess({
  PORT: String(gatewayPort),
  GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
  NODE_ENV: 'production',
  UPSTREAM_CONCURRENCY: '8',
});
try {
  const rssIdle = gateway.rssMiB();
  const bodies = Array.from({ length: MUTATIONS }, (_, m) =>
    JSON.stringify({
      query: 'mutation($c: [ContactInput!]!) { assertContacts(listId: 1, contacts: $c) { total failed } }',
      variables: {
        c: Array.from({ length: ITEMS }, (_, i) => ({
          workEmail: `m${m}-${i}@memory.example`,
          firstName: 'Mem',
          lastName: `Person ${i}`,
          jobTitle: 'Engineer',
        })),
      },
    }),
  );
  const started = performance.now();
  const results = await Promise.all(
    bodies.map(async (body) => {
      const response = await request(`http://127.0.0.1:${gatewayPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
        body,
      });
      return (await response.body.json()) as { data?: { assertContacts?: { total: number; failed: number } } };
    }),
  );
  const wall = performance.now() - started;
  const failed = results.filter(
    (result) => result.data?.assertContacts?.failed !== 0 || result.data.assertContacts.total !== ITEMS,
  ).length;
  printTable(`Memory: ${MUTATIONS} assertContacts of ${ITEMS} items in flight at once`, [
    {
      mutations: MUTATIONS,
      'items each': ITEMS,
      'RSS idle MiB': Math.round(rssIdle),
      'peak RSS MiB': Math.round(gateway.peakRssMiB()),
      'wall ms': Math.round(wall),
      'bad answers': failed,
    },
  ]);
} finally {
  await gateway.stop();
  await upstream.stop();
}
