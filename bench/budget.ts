import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { freePort, printTable, type RunningProcess, startGatewayProcess, startNodeProcess } from './lib/processes.js';
import { type BenchRedis, startRedis } from './lib/redis.js';

/**
 * The shared upstream budget (`UPSTREAM_RATE_LIMIT` through Redis) under an
 * import and interactive traffic at once. On 127.0.0.1: one Redis, one
 * simulator process refusing a key's 51st call in a Unix second (429 with
 * Retry-After), a recording proxy in front of it (bench/lib/budget-proxy.ts:
 * every call's status and the simulator's window for it, from the answer's
 * X-RateLimit-Reset), and three copies of the built gateway sharing REDIS_URL,
 * IMPORT_SECRET and one upstream key.
 *
 * Each run: createImport on copy 1, five appendContacts of 10,000 new contacts
 * over copies 1, 2, 3, 1, 2, then startImport on copy 3; from that moment,
 * until the import has ended, every copy gets an `assertContact` every
 * 1/INTERACTIVE_PER_SECOND s (open loop, latency from the planned send time).
 * The same runs with the budget on (UPSTREAM_RATE_LIMIT=50) and off (unset:
 * no budget of the gateway's own; a pause after X-RateLimit-Remaining: 0 or a
 * 429 is still shared by every copy through Redis, as the code does today).
 * Sides alternate run by run; BENCH_RUNS (default 3) runs a side.
 */
const ROWS = 50_000;
const APPEND_ROWS = 10_000;
const COPIES = 3;
const LIMIT = 50;
const INTERACTIVE_PER_SECOND = Number(process.env.BENCH_INTERACTIVE_PER_SECOND ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_ACCEPTED_PER_SECOND = 0.9 * LIMIT;
const TARGET_429_SHARE = 0.01;
const TARGET_P99_MS = 1_000;
const API_KEY = 'bench-budget-upstream-key';
const TOKEN = 'bench-budget-token';
const SECRET = 'bench-budget-import-secret-of-at-least-32-chars';
/** One-way transit the proxy adds before each call reaches the simulator (as a distant upstream would); 0 by default. */
const TRANSIT_MS = Number(process.env.BENCH_BUDGET_TRANSIT_MS ?? 0);
/** A folder: each run's calls, interactive latencies and Redis's MONITOR output are written there, for a closer look. */
const TRACE_DIR = process.env.BENCH_BUDGET_TRACE;
const ENDED = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED']);

interface Scenario {
  readonly name: string;
  readonly env: Record<string, string>;
}

const ALL_SCENARIOS: readonly Scenario[] = [
  { name: `shared budget (UPSTREAM_RATE_LIMIT=${LIMIT})`, env: { UPSTREAM_RATE_LIMIT: String(LIMIT) } },
  // Empty counts as unset, and overrides one in the benchmark's own environment.
  { name: 'no budget (UPSTREAM_RATE_LIMIT unset)', env: { UPSTREAM_RATE_LIMIT: '' } },
];
/** BENCH_BUDGET_SIDES=shared or off runs one side only. */
const SCENARIOS = ALL_SCENARIOS.filter(
  (scenario) =>
    !process.env.BENCH_BUDGET_SIDES ||
    (process.env.BENCH_BUDGET_SIDES === 'shared') === (scenario.env.UPSTREAM_RATE_LIMIT !== ''),
);

interface ImportView {
  id: string;
  state: string;
  total: number;
  processed: number;
  created: number;
  updated: number;
  failed: number;
  chunks: number;
  startedAt: string | null;
  finishedAt: string | null;
}

const IMPORT_FIELDS = 'id state total processed created updated failed chunks startedAt finishedAt';

/** `redis-cli MONITOR` into a file: every command Redis runs (the budget script's own HINCRBYs among them), timed by Redis. */
async function monitorRedis(port: number, file: string): Promise<{ stop(): Promise<void> }> {
  const out = openSync(file, 'w');
  const child = spawn('redis-cli', ['-p', String(port), 'MONITOR'], { stdio: ['ignore', out, 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await sleep(200);
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      closeSync(out);
    },
  };
}

async function graphql<T>(port: number, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await request(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await response.body.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (response.statusCode !== 200 || answer.errors || !answer.data) {
    throw new Error(`HTTP ${response.statusCode} from copy on ${port}: ${JSON.stringify(answer).slice(0, 400)}`);
  }
  return answer.data;
}

function contacts(first: number, count: number) {
  return Array.from({ length: count }, (_, offset) => {
    const i = first + offset;
    return {
      workEmail: `person${i}@budget-bench.example`,
      firstName: 'Bench',
      lastName: `Person ${i}`,
      jobTitle: 'Engineer',
      companyDomain: 'budget-bench.example',
    };
  });
}

const ASSERT_ONE = 'mutation One($c: ContactInput!) { assertContact(listId: 5, contact: $c) { action count } }';

interface Interactive {
  readonly latencies: number[];
  /** [planned send, epoch ms; latency ms; copy] per call, for BENCH_BUDGET_TRACE. */
  readonly trace: Array<[number, number, number]>;
  readonly failures: string[];
  stop(): Promise<void>;
}

/** Every copy gets one assertContact every 1/INTERACTIVE_PER_SECOND s, copies staggered; open loop. */
function interactiveTraffic(ports: readonly number[]): Interactive {
  const latencies: number[] = [];
  const trace: Array<[number, number, number]> = [];
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const periodMs = 1000 / INTERACTIVE_PER_SECOND;
  const started = performance.now();
  let stopped = false;
  let sent = 0;
  const loops = ports.map(async (port, copy) => {
    for (let k = 0; ; k++) {
      const planned = started + k * periodMs + (copy * periodMs) / ports.length;
      const wait = planned - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) return;
      const n = sent++;
      const call = graphql<{ assertContact: { action: string } }>(port, ASSERT_ONE, {
        c: { workEmail: `live${n}@interactive.example`, firstName: 'Live', lastName: `Caller ${n}` },
      }).then(
        () => {
          latencies.push(performance.now() - planned);
          trace.push([Math.round(performance.timeOrigin + planned), performance.now() - planned, copy + 1]);
        },
        (error: Error) => {
          latencies.push(performance.now() - planned);
          trace.push([Math.round(performance.timeOrigin + planned), performance.now() - planned, copy + 1]);
          failures.push(error.message);
        },
      );
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
    }
  });
  return {
    latencies,
    trace,
    failures,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      await Promise.all([...inFlight]);
    },
  };
}

/** Sums a counter of the copies' /metrics by one label's value. */
async function metricByLabel(ports: readonly number[], metric: string, label: string): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const port of ports) {
    const response = await request(`http://127.0.0.1:${port}/metrics`);
    const text = await response.body.text();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      const labelValue = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '';
      sums.set(labelValue, (sums.get(labelValue) ?? 0) + value);
    }
  }
  return sums;
}

type CallRecord = [arrived: number, window: number, status: number, batch: number];

interface RunResult {
  readonly scenario: string;
  readonly durationS: number;
  readonly accepted: number;
  readonly refused: number;
  readonly otherStatus: number;
  readonly perFullSecond: number[];
  readonly latencies: number[];
  readonly interactiveFailures: string[];
  readonly finalImport: ImportView;
  readonly metricsStatus: Map<string, number>;
  readonly budgetWaits: number;
  readonly shared: number;
  readonly load: string;
  readonly importCallsAccepted: number;
  readonly singleCallsAccepted: number;
}

async function runScenario(scenario: Scenario, run: number): Promise<RunResult> {
  const started: Array<{ stop(): Promise<void> }> = [];
  let redis: BenchRedis | undefined;
  try {
    redis = await startRedis();
    const simulatorPort = await freePort();
    const simulator = await startNodeProcess(
      'dist/simulator/main.js',
      { SIMULATOR_PORT: String(simulatorPort), SIMULATOR_HOST: '127.0.0.1', SIMULATOR_RATE_LIMIT: String(LIMIT) },
      /listening/,
    );
    started.push(simulator);
    const proxyPort = await freePort();
    const proxy = await startNodeProcess(
      'bench/lib/budget-proxy.ts',
      { PORT: String(proxyPort), TARGET: `http://127.0.0.1:${simulatorPort}`, DELAY_MS: String(TRANSIT_MS) },
      /listening/,
    );
    started.push(proxy);
    const ports: number[] = [];
    const gateways: RunningProcess[] = [];
    for (let copy = 0; copy < COPIES; copy++) {
      const port = await freePort();
      const gateway = await startGatewayProcess({
        PORT: String(port),
        GRAPH8_API_URL: `http://127.0.0.1:${proxyPort}/api/v1`,
        GRAPH8_API_KEY: API_KEY,
        GATEWAY_TOKENS: TOKEN,
        REDIS_URL: redis.url,
        IMPORT_SECRET: SECRET,
        NODE_ENV: 'production',
        ...scenario.env,
      });
      started.push(gateway);
      gateways.push(gateway);
      ports.push(port);
    }
    const portOf = (copy: number) => ports[copy % COPIES] as number;
    await sleep(500);

    const { createImport } = await graphql<{ createImport: ImportView }>(
      portOf(0),
      `mutation { createImport(kind: CONTACTS, listId: 7) { ${IMPORT_FIELDS} } }`,
      {},
    );
    const id = createImport.id;
    for (let append = 0; append < ROWS / APPEND_ROWS; append++) {
      await graphql(
        portOf(append),
        `mutation Append($id: ID!, $rows: [ContactInput!]!) { appendContacts(importId: $id, contacts: $rows) { total } }`,
        { id, rows: contacts(append * APPEND_ROWS, APPEND_ROWS) },
      );
    }

    const label = `${scenario.env.UPSTREAM_RATE_LIMIT ? 'shared' : 'off'}-${run + 1}`;
    if (TRACE_DIR) started.push(await monitorRedis(redis.port, join(TRACE_DIR, `redis-monitor-${label}.txt`)));
    const cpuBefore = gateways.map((gateway) => gateway.cpuMs());
    const loadBefore = loadavg()[0] as number;
    const startedAt = Date.now();
    const interactive = interactiveTraffic(ports);
    const starter = gateways[COPIES - 1] as RunningProcess;
    const starterCpuBefore = starter.cpuMs();
    await graphql(portOf(COPIES - 1), `mutation Start($id: ID!) { startImport(importId: $id) { state } }`, { id });
    const startAnsweredMs = Date.now() - startedAt;
    const startCpuMs = starter.cpuMs() - starterCpuBefore;
    /** Copies seen keeping their own budget (graph8_upstream_budget_shared 0: Redis failed them) while the import ran. */
    const fellBack = new Set<number>();
    let view: ImportView | undefined;
    for (let poll = 0; ; poll++) {
      await sleep(200);
      if (poll % 2 === 0) {
        for (const [copy, port] of ports.entries()) {
          const shared = await metricByLabel([port], 'graph8_upstream_budget_shared', '');
          if ([...shared.values()].some((value) => value === 0)) fellBack.add(copy + 1);
        }
      }
      view = (
        await graphql<{ import: ImportView }>(
          portOf(poll),
          `query Q($id: ID!) { import(id: $id) { ${IMPORT_FIELDS} } }`,
          { id },
        )
      ).import;
      if (ENDED.has(view.state)) break;
      if (Date.now() - startedAt > 600_000) throw new Error(`import ${id} still ${view.state} after 10 minutes`);
    }
    await interactive.stop();
    const gatewayCpuMs = gateways.map((gateway, copy) => gateway.cpuMs() - (cpuBefore[copy] as number));
    const loadAfter = loadavg()[0] as number;
    const endedAt = view.finishedAt ? Date.parse(view.finishedAt) : Date.now();

    const recorded = (await (await request(`http://127.0.0.1:${proxyPort}/__calls`)).body.json()) as {
      calls: CallRecord[];
    };
    if (TRACE_DIR) {
      writeFileSync(
        join(TRACE_DIR, `run-${label}.json`),
        JSON.stringify({ startedAt, endedAt, calls: recorded.calls, interactive: interactive.trace }),
      );
    }
    const inRun = recorded.calls.filter(([arrived]) => arrived >= startedAt && arrived <= endedAt);
    const accepted = inRun.filter(([, , status]) => status === 200);
    const refused = inRun.filter(([, , status]) => status === 429);
    // Whole simulator seconds inside the run: what each second let through.
    const firstFull = Math.ceil(startedAt / 1000);
    const lastFull = Math.floor(endedAt / 1000) - 1;
    const perFullSecond: number[] = [];
    const cells: string[] = [];
    for (let second = firstFull; second <= lastFull; second++) {
      const ofSecond = recorded.calls.filter(([, window]) => window === second);
      const ok = ofSecond.filter(([, , status]) => status === 200);
      const no = ofSecond.filter(([, , status]) => status === 429).length;
      perFullSecond.push(ok.length);
      cells.push(
        `${ok.filter(([, , , batch]) => batch === 1).length}+${ok.filter(([, , , b]) => b === 0).length}/${no}`,
      );
    }
    const metricsStatus = await metricByLabel(ports, 'graph8_upstream_requests_total', 'status');
    const waits = await metricByLabel(ports, 'graph8_upstream_budget_waits_total', '');
    const shared = await metricByLabel(ports, 'graph8_upstream_budget_shared', '');
    const firstImportCall = recorded.calls.find(([arrived, , , batch]) => batch === 1 && arrived >= startedAt);
    // Where each 429 landed: interactive or import, and how far into the simulator's second it arrived.
    const refusals = refused.map(
      ([arrived, window, , batch]) => `${batch ? 'import' : 'interactive'}@${arrived - window * 1000}ms`,
    );
    console.log(
      `  ${scenario.name}, run ${run + 1}: import ${view.state} in ${((endedAt - startedAt) / 1000).toFixed(1)} s; per whole second (import+interactive accepted / 429): ${cells.join(' ')}`,
    );
    console.log(
      `    startImport answered in ${startAnsweredMs} ms (its copy used ${Math.round(startCpuMs)} ms of CPU meanwhile); first import call reached the simulator ${firstImportCall === undefined ? '-' : firstImportCall[0] - startedAt} ms after it was sent; 429s: ${refusals.join(' ') || 'none'}; copies that fell back to their own budget: ${[...fellBack].join(', ') || 'none'}; gateway CPU ms ${gatewayCpuMs.map(Math.round).join('/')}; load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
    );
    return {
      scenario: scenario.name,
      durationS: (endedAt - startedAt) / 1000,
      accepted: accepted.length,
      refused: refused.length,
      otherStatus: inRun.length - accepted.length - refused.length,
      perFullSecond,
      latencies: interactive.latencies,
      interactiveFailures: interactive.failures,
      finalImport: view,
      metricsStatus,
      budgetWaits: [...waits.values()].reduce((a, b) => a + b, 0),
      shared: [...shared.values()].reduce((a, b) => a + b, 0),
      load: `${loadBefore.toFixed(1)}-${loadAfter.toFixed(1)}`,
      importCallsAccepted: accepted.filter(([, , , batch]) => batch === 1).length,
      singleCallsAccepted: accepted.filter(([, , , batch]) => batch === 0).length,
    };
  } finally {
    for (const process of started.reverse()) await process.stop();
    await redis?.stop();
  }
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const verdict = (met: boolean) => (met ? 'met' : 'missed');

async function main() {
  console.log(
    `Shared upstream budget: ${ROWS} rows imported over ${COPIES} gateway copies (Redis), simulator limit ${LIMIT} calls/s per key, ${INTERACTIVE_PER_SECOND} assertContact/s per copy beside it; ${RUNS} run(s) a side${TRANSIT_MS > 0 ? `; ${TRANSIT_MS} ms one-way transit before the simulator` : ''}`,
  );
  if (TRACE_DIR) mkdirSync(TRACE_DIR, { recursive: true });
  const results: RunResult[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const scenario of SCENARIOS) results.push(await runScenario(scenario, run));
  }
  printTable(
    `Shared upstream budget: ${ROWS} rows (createImport, 5 x appendContacts of ${APPEND_ROWS} over 3 copies, startImport) with ${INTERACTIVE_PER_SECOND} assertContact/s per copy; calls counted at the simulator (recording proxy), from startImport to finishedAt; targets >= ${TARGET_ACCEPTED_PER_SECOND}/s accepted, < 1% 429s, interactive p99 < ${TARGET_P99_MS} ms`,
    results.map((result) => {
      const all = result.accepted + result.refused + result.otherStatus;
      const acceptedPerSecond = result.accepted / result.durationS;
      const share = all === 0 ? 0 : result.refused / all;
      const p50 = percentile(result.latencies, 50);
      const p99 = percentile(result.latencies, 99);
      const sortedSeconds = [...result.perFullSecond].sort((a, b) => a - b);
      return {
        side: result.scenario,
        'import s': result.durationS.toFixed(1),
        'rows/s': Math.round(ROWS / result.durationS),
        'import state': `${result.finalImport.state} ${result.finalImport.created}/${result.finalImport.failed}`,
        'accepted/s': acceptedPerSecond.toFixed(1),
        'per whole s min/med/max': `${sortedSeconds[0] ?? '-'}/${sortedSeconds[Math.floor(sortedSeconds.length / 2)] ?? '-'}/${sortedSeconds.at(-1) ?? '-'}`,
        'calls (200/429)': `${result.accepted}/${result.refused}`,
        '429 share': `${(share * 100).toFixed(2)}%`,
        'interactive n': result.latencies.length,
        'p50 ms': Math.round(p50),
        'p99 ms': Math.round(p99),
        'max ms': Math.round(Math.max(...result.latencies)),
        'accepted/s target': verdict(acceptedPerSecond >= TARGET_ACCEPTED_PER_SECOND),
        '429 target': verdict(share < TARGET_429_SHARE),
        'p99 target': verdict(p99 < TARGET_P99_MS),
        'machine load': result.load,
      };
    }),
  );
  for (const result of results) {
    const statuses = [...result.metricsStatus.entries()].map(([status, count]) => `${status}: ${count}`).join(', ');
    console.log(
      `${result.scenario}: gateways' /metrics graph8_upstream_requests_total by status ${statuses} (whole run); budget waits ${result.budgetWaits}; budget shared on ${result.shared} of ${COPIES} copies; interactive failures ${result.interactiveFailures.length}${result.interactiveFailures[0] ? ` (first: ${result.interactiveFailures[0].slice(0, 200)})` : ''}; accepted import calls ${result.importCallsAccepted}, interactive ${result.singleCallsAccepted}`,
    );
  }
}

await main();
