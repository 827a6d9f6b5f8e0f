import { pino } from 'pino';
import { MockAgent } from 'undici';
import { assembleGateway } from '../src/assemble-gateway.js';
import { parseConfig } from '../src/config.js';
import { createBareYoga } from './lib/bare-yoga.js';
import { median, printTable } from './lib/processes.js';
import { BULK_ITEMS, bulkMutationBody, SINGLE_MUTATION_BODY } from './lib/workload.js';

/**
 * The app alone, in this process: mutations through `app.fetch` (Yoga, its
 * plugins, the schema, the input rules, the batch engine and the upstream
 * client) with undici's MockAgent answering every upstream call at once. No
 * socket, Node HTTP layer or other process is in the figures, so sides
 * alternating in blocks resolve differences of a few percent, where the HTTP
 * benchmarks resolve 10-20% on this machine.
 *
 * Beside the gateway, bare Yoga (bench/lib/bare-yoga.ts) making the same
 * upstream call through the same MockAgent: the difference is what the
 * gateway's own work costs on top of the framework. (In-process, reading
 * `request.signal` makes a real AbortController, a few microseconds the
 * gateway pays here and not behind its Node layer.)
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 16);
const BLOCK = 2_000;
const IN_FLIGHT = 10;
const BULK_RUNS = Number(process.env.BENCH_RUNS ?? 16);

const ORIGIN = 'http://upstream.bench';
const BASE_URL = `${ORIGIN}/api/v1`;

function mockUpstream(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const upstream = agent.get(ORIGIN);
  upstream
    .intercept({ path: '/api/v1/contacts/assert', method: 'PUT' })
    .reply(200, { data: { action: 'created', count: 1 } })
    .persist();
  upstream
    .intercept({ path: '/api/v1/contacts/assert/batch', method: 'PUT' })
    .reply(({ body }) => {
      const items = (JSON.parse(String(body)) as { contacts: unknown[] }).contacts.length;
      return { statusCode: 200, data: { data: { total: items, created: items, updated: 0, errors: [] } } };
    })
    .persist();
  return agent;
}

type FetchHandler = (url: string, init: RequestInit) => Promise<Response>;

function gatewayApp(agent: MockAgent): FetchHandler {
  const parsed = parseConfig({
    GRAPH8_API_URL: BASE_URL,
    NODE_ENV: 'production',
    MAX_ITEMS_PER_MUTATION: String(BULK_ITEMS),
    UPSTREAM_CONCURRENCY: '8',
    UPSTREAM_MAX_ATTEMPTS: '3',
    GRAPHIQL: 'false',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const { app } = assembleGateway(parsed.config, {
    baseUrl: BASE_URL,
    dispatcher: agent,
    logger: pino({ level: 'silent' }),
    description: { version: 'bench', upstream: 'LIVE' },
  });
  return (url, init) => Promise.resolve(app.fetch(url, init));
}

function bareYogaApp(agent: MockAgent): FetchHandler {
  const yoga = createBareYoga(agent, ORIGIN);
  return (url, init) => Promise.resolve(yoga.fetch(url, init));
}

async function post(handler: FetchHandler, body: string): Promise<string> {
  const response = await handler('http://gateway.bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body,
  });
  return response.text();
}

/** CPU microseconds per mutation (all of this process's threads, the collector's included) over `count` mutations. */
async function singleBlock(handler: FetchHandler, count: number): Promise<number> {
  let sent = 0;
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (sent++ < count) {
        const answer = await post(handler, SINGLE_MUTATION_BODY);
        if (!answer.includes('"CREATED"')) throw new Error(`bad answer: ${answer.slice(0, 300)}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return (cpu.user + cpu.system) / count;
}

const agent = mockUpstream();
const sides = [
  { name: 'gateway', handler: gatewayApp(agent), cpu: [] as number[] },
  { name: 'bare Yoga', handler: bareYogaApp(agent), cpu: [] as number[] },
];
for (const side of sides) await singleBlock(side.handler, BLOCK);
for (let round = 0; round < ROUNDS; round++) {
  for (const side of round % 2 ? sides : [...sides].reverse()) side.cpu.push(await singleBlock(side.handler, BLOCK));
}
const quartile = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 4)];
printTable(
  `The app alone: one assertContact through app.fetch, MockAgent upstream (${ROUNDS} alternating blocks of ${BLOCK}, ${IN_FLIGHT} in flight)`,
  sides.map((side) => ({
    side: side.name,
    'median CPU us': Math.round(median(side.cpu)),
    'p25 CPU us': Math.round(quartile(side.cpu) ?? Number.NaN),
  })),
);

const gateway = sides[0]?.handler as FetchHandler;
const walls: number[] = [];
const cpus: number[] = [];
for (let run = -2; run < BULK_RUNS; run++) {
  const body = bulkMutationBody(run + 200);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const answer = await post(gateway, body);
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (!answer.includes(`"total":${BULK_ITEMS}`) || !answer.includes('"failed":0')) {
    throw new Error(`bad answer: ${answer.slice(0, 300)}`);
  }
  if (run < 0) continue;
  walls.push(wall);
  cpus.push((cpu.user + cpu.system) / 1000);
}
printTable(`The app alone: one assertContacts of ${BULK_ITEMS} items, MockAgent upstream (${BULK_RUNS} runs after 2)`, [
  {
    'median wall ms': Math.round(median(walls)),
    'median CPU ms': Math.round(median(cpus)),
    'p25 CPU ms': Math.round(quartile(cpus) ?? Number.NaN),
  },
]);
await agent.close();
