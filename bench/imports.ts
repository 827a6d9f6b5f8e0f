import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import {
  APPEND_CONTACTS,
  appendFile,
  CREATE_IMPORT,
  contacts,
  contactsCsv,
  dataOf,
  graphql,
  IMPORT_CONTACTS,
  type ImportStatus,
  rssMiBOf,
  START_IMPORT,
  send,
  untilEnded,
  untilImportsAnswer,
} from './lib/imports-client.js';
import {
  freePort,
  median,
  printTable,
  type RunningProcess,
  startGatewayProcess,
  startNodeProcess,
} from './lib/processes.js';
import { type BenchRedis, startRedis } from './lib/redis.js';

/**
 * `npm run bench -- imports`: the figures the imports issue asks for, each
 * gateway a real process (the built one, as `npm start` runs it, with
 * NODE_ENV=production), each Redis a redis-server of the benchmark's own
 * (bench/lib/redis.ts), the upstream the simulator as its own process
 * (`node dist/simulator/main.js`, not the gateway's embedded one, so that the
 * gateway's memory and CPU are its own).
 *
 * 1. importContacts of 10,000 rows answers in under 300 ms: it checks and
 *    stores, it does not wait for the upstream. With Redis and without
 *    (the in-process engine); each run's import is left to end before the
 *    next run, so a run measures the answer alone.
 * 2. 1,000,000 rows with Redis, through 100 appendContacts of 10,000, then
 *    through 10 appendFile uploads of 100,000-row CSV files: the gateway's RSS
 *    sampled every 200 ms all the way (target: peak within 150 MB of idle),
 *    Redis's used_memory after the appends (before startImport) and at the
 *    end, and the rows per second of the appends and of the run.
 * 3. Two copies on one Redis, IMPORT_STALL_MS=5000; one is SIGKILLed while it
 *    has chunks in flight: how soon the other sends them upstream again
 *    (target: within IMPORT_STALL_MS + 1 s), and when chunksDone moves again.
 *
 * BENCH_IMPORT_PARTS=answer,million,kill picks parts; BENCH_RUNS (part 1,
 * default 9), BENCH_IMPORT_ROWS (part 2, default 1,000,000), BENCH_KILL_TRIALS
 * (part 3, default 5), BENCH_IMPORT_CONCURRENCY (part 2, default the gateway's 4),
 * BENCH_IMPORT_WAYS=appendContacts,appendFile (part 2). For an A/B of a change:
 * BENCH_GATEWAY_SCRIPT (another build's main.js: a copy of dist/ with the change,
 * beside a copy of package.json, which the gateway reads from its parent folder)
 * and BENCH_NODE_FLAGS (node flags instead of npm start's).
 */

const PARTS = new Set((process.env.BENCH_IMPORT_PARTS ?? 'answer,million,kill').split(','));
const IMPORT_SECRET = 'imports-bench-secret-0123456789abcdefghij';

const ANSWER_ROWS = 10_000;
const ANSWER_RUNS = Number(process.env.BENCH_RUNS ?? 9);
const ANSWER_WARM_UPS = 2;
const ANSWER_TARGET_MS = 300;

const MILLION = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const APPEND_ROWS = 10_000;
const FILE_ROWS = 100_000;
const IMPORT_CONCURRENCY = process.env.BENCH_IMPORT_CONCURRENCY ?? '4';
const SAMPLE_EVERY_MS = 200;
/** 150 MB (10^6 bytes) in MiB, the unit of every other table. */
const RSS_TARGET_MIB = 150e6 / 2 ** 20;

const STALL_MS = 5_000;
const KILL_TRIALS = Number(process.env.BENCH_KILL_TRIALS ?? 5);
const KILL_ROWS = 4_000;
const KILL_UPSTREAM_LATENCY_MS = 200;
const KILL_CONCURRENCY = 4;

const MiB = 2 ** 20;
const round = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** User + system CPU of a process so far, in ms (10 ms ticks); NaN once it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** The simulator, as `node dist/simulator/main.js` runs it, on a free port. */
async function startSimulatorProcess(): Promise<{ url: string; process: RunningProcess }> {
  const port = await freePort();
  const simulator = await startNodeProcess(
    'dist/simulator/main.js',
    { SIMULATOR_PORT: String(port), SIMULATOR_HOST: '127.0.0.1' },
    /listening/,
  );
  return { url: `http://127.0.0.1:${port}/api/v1`, process: simulator };
}

/**
 * BENCH_GATEWAY_SCRIPT: another build of the gateway (a copy of dist/ with a change, say) to start with
 * `npm start`'s node flags instead of dist/main.js, for an A/B; BENCH_NODE_FLAGS: node flags instead of npm start's.
 */
const GATEWAY_SCRIPT = process.env.BENCH_GATEWAY_SCRIPT;
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS;

async function startGateway(
  upstreamUrl: string,
  redis: BenchRedis | undefined,
  env: Record<string, string> = {},
): Promise<{ port: number; process: RunningProcess }> {
  const port = await freePort();
  const gatewayEnv = {
    PORT: String(port),
    GRAPH8_API_URL: upstreamUrl,
    NODE_ENV: 'production',
    ...(redis ? { REDIS_URL: redis.url, IMPORT_SECRET } : {}),
    ...env,
  };
  let gateway: RunningProcess;
  if (GATEWAY_SCRIPT === undefined && NODE_FLAGS === undefined) gateway = await startGatewayProcess(gatewayEnv);
  else {
    const words = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
      .split(/\s+/)
      .slice(1);
    const flags = NODE_FLAGS === undefined ? words.slice(0, -1) : NODE_FLAGS.split(/\s+/).filter(Boolean);
    gateway = await startNodeProcess(
      GATEWAY_SCRIPT ?? (words.at(-1) as string),
      { LOG_LEVEL: 'info', ...gatewayEnv },
      `http://127.0.0.1:${port}/readiness`,
      [],
      flags,
    );
  }
  await untilImportsAnswer(port);
  return { port, process: gateway };
}

function checkEnded(status: ImportStatus, rows: number, what: string): void {
  if (status.state !== 'SUCCEEDED' || status.created !== rows || status.processed !== rows || status.failed !== 0) {
    throw new Error(`${what}: the import ended ${JSON.stringify(status)}, not SUCCEEDED with ${rows} created`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. importContacts of 10,000 rows: the answer

interface AnswerRow {
  engine: string;
  walls: number[];
  cpus: number[];
}

async function answerTimes(engine: 'Redis' | 'in-process', simulatorUrl: string): Promise<AnswerRow> {
  const redis = engine === 'Redis' ? await startRedis() : undefined;
  let gateway: { port: number; process: RunningProcess } | undefined;
  const row: AnswerRow = { engine, walls: [], cpus: [] };
  try {
    gateway = await startGateway(simulatorUrl, redis);
    await sleep(500);
    for (let run = -ANSWER_WARM_UPS; run < ANSWER_RUNS; run++) {
      const body = JSON.stringify({
        query: IMPORT_CONTACTS,
        variables: { listId: 1, contacts: contacts(ANSWER_ROWS, `answer-${engine}-${run}`) },
      });
      const cpuBefore = gateway.process.cpuMs();
      const answer = await send<{ importContacts: { id: string; state: string; total: number } }>(
        gateway.port,
        'application/json',
        body,
      );
      const cpu = gateway.process.cpuMs() - cpuBefore;
      const started = dataOf(answer, `importContacts (${engine})`).importContacts;
      if (started.total !== ANSWER_ROWS) throw new Error(`importContacts answered ${JSON.stringify(started)}`);
      // The next run starts once this import has ended: each run measures the answer alone.
      checkEnded(await untilEnded(gateway.port, started.id, { everyMs: 100 }), ANSWER_ROWS, engine);
      if (run >= 0) {
        row.walls.push(answer.ms);
        row.cpus.push(cpu);
      }
    }
    return row;
  } finally {
    await gateway?.process.stop();
    await redis?.stop();
  }
}

async function partAnswer(): Promise<void> {
  const simulator = await startSimulatorProcess();
  const rows: AnswerRow[] = [];
  try {
    rows.push(await answerTimes('Redis', simulator.url));
    rows.push(await answerTimes('in-process', simulator.url));
  } finally {
    await simulator.process.stop();
  }
  printTable(
    `Imports 1: importContacts of ${ANSWER_ROWS} rows, time to its answer (the rows checked and stored, nothing waited for upstream); ${ANSWER_RUNS} runs after ${ANSWER_WARM_UPS} warm-ups, each run after the previous import ended; target under ${ANSWER_TARGET_MS} ms`,
    rows.map(({ engine, walls, cpus }) => ({
      engine,
      runs: walls.length,
      'median ms': round(median(walls)),
      'min ms': round(Math.min(...walls)),
      'max ms': round(Math.max(...walls)),
      'runs under 300 ms': `${walls.filter((wall) => wall < ANSWER_TARGET_MS).length}/${walls.length}`,
      'median gateway CPU ms': round(median(cpus)),
      target: `< ${ANSWER_TARGET_MS} ms`,
      verdict:
        median(walls) < ANSWER_TARGET_MS ? (Math.max(...walls) < ANSWER_TARGET_MS ? 'met' : 'met (median)') : 'missed',
    })),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 2. A million rows, with Redis

/** The gateway's heap by space and its external memory, from its /metrics (prom-client's default metrics), MiB. */
interface HeapBreakdown {
  readonly rss: number;
  readonly newSpace: number;
  readonly oldSpace: number;
  readonly largeObjects: number;
  readonly code: number;
  readonly external: number;
  readonly heapUsed: number;
}

async function heapBreakdown(port: number): Promise<HeapBreakdown | undefined> {
  const response = await request(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  if (!response) return undefined;
  const text = await response.body.text();
  const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / MiB;
  const space = (name: string) => value(`nodejs_heap_space_size_total_bytes\\{space="${name}"\\}`);
  return {
    rss: value('process_resident_memory_bytes'),
    newSpace: space('new') + space('new_large_object'),
    oldSpace: space('old'),
    largeObjects: space('large_object'),
    code: space('code') + space('code_large_object'),
    external: value('nodejs_external_memory_bytes'),
    heapUsed: value('nodejs_heap_size_used_bytes'),
  };
}

type Phase = 'appends' | 'chunks';

interface Sample {
  readonly at: number;
  readonly phase: Phase;
  readonly rss: number;
  readonly redisUsed: number;
}

interface MillionResult {
  readonly way: string;
  readonly requests: number;
  readonly rssAtStart: number;
  readonly idle: number;
  readonly peakAppends: number;
  readonly peakChunks: number;
  readonly hwm: number;
  readonly redisEmpty: number;
  readonly redisAfterAppends: number;
  readonly redisPeak: number;
  readonly redisAtEnd: number;
  readonly redisRssPeak: number;
  readonly appendMs: number;
  readonly requestMedianMs: number;
  readonly requestMaxMs: number;
  readonly runMs: number;
  readonly totalMs: number;
  readonly gatewayCpuAppends: number;
  readonly gatewayCpuRun: number;
  readonly redisCpuRun: number;
  readonly simulatorCpuRun: number;
  readonly ended: ImportStatus;
  readonly heapIdle: HeapBreakdown | undefined;
  /** The /metrics sample (taken every second) with the highest RSS. */
  readonly heapAtPeak: HeapBreakdown | undefined;
  /** The lowest heap used in each phase's samples: what stays live (it follows a major collection). */
  readonly heapUsedLowest: Readonly<Record<Phase, number>>;
  /** Each startImport call: its time, and its error code when it failed. */
  readonly startAnswers: readonly string[];
  /** Redis commands of 100 ms or more during the import (SLOWLOG), longest first. */
  readonly slowCommands: ReadonlyArray<{ ms: number; command: string }>;
}

async function million(way: 'appendContacts' | 'appendFile'): Promise<MillionResult> {
  const redis = await startRedis();
  const simulator = await startSimulatorProcess();
  let gateway: { port: number; process: RunningProcess } | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let heapSampler: NodeJS.Timeout | undefined;
  try {
    gateway = await startGateway(simulator.url, redis, { IMPORT_CONCURRENCY });
    const { port } = gateway;
    const pid = gateway.process.pid;
    const rssAtStart = rssMiBOf(pid);
    // Warm-up: the same path with 1,000 rows, to its end.
    const warm = dataOf(await graphql(port, CREATE_IMPORT, { listId: 2 }), 'createImport').createImport.id as string;
    if (way === 'appendContacts') {
      dataOf(await graphql(port, APPEND_CONTACTS, { id: warm, contacts: contacts(1_000, `warm-${way}`) }), 'append');
    } else {
      dataOf(await appendFile(port, warm, contactsCsv(1_000, `warm-${way}`)), 'appendFile');
    }
    dataOf(await graphql(port, START_IMPORT, { id: warm }), 'startImport');
    checkEnded(await untilEnded(port, warm, { everyMs: 100 }), 1_000, 'warm-up');
    await sleep(2_000);
    const idleSamples: number[] = [];
    for (let i = 0; i < 10; i++) {
      idleSamples.push(rssMiBOf(pid));
      await sleep(SAMPLE_EVERY_MS);
    }
    const idle = median(idleSamples);
    const redisEmpty = await redis.usedMemory();
    // Redis commands that held it for 100 ms or more (it runs one command at a time: every copy waits that long).
    await redis.client.config('SET', 'slowlog-log-slower-than', '100000');
    await redis.client.config('SET', 'slowlog-max-len', '1000');
    await redis.client.slowlog('RESET');
    const heapIdle = await heapBreakdown(port);
    let heapAtPeak: HeapBreakdown | undefined;
    const heapUsedLowest: Record<Phase, number> = {
      appends: Number.POSITIVE_INFINITY,
      chunks: Number.POSITIVE_INFINITY,
    };
    let heapSampling = false;
    heapSampler = setInterval(() => {
      if (heapSampling) return;
      heapSampling = true;
      void heapBreakdown(port).then((heap) => {
        if (heap && (!heapAtPeak || heap.rss > heapAtPeak.rss)) heapAtPeak = heap;
        if (heap) heapUsedLowest[phase] = Math.min(heapUsedLowest[phase], heap.heapUsed);
        heapSampling = false;
      });
    }, 1_000);

    const samples: Sample[] = [];
    let phase: Phase = 'appends';
    let sampling = false;
    let redisRssPeak = redis.rssMiB();
    const sample = async () => {
      if (sampling) return;
      sampling = true;
      const at = Date.now();
      const rss = rssMiBOf(pid);
      redisRssPeak = Math.max(redisRssPeak, redis.rssMiB());
      const redisUsed = await redis.usedMemory().catch(() => Number.NaN);
      samples.push({ at, phase, rss, redisUsed });
      sampling = false;
    };
    sampler = setInterval(() => void sample(), SAMPLE_EVERY_MS);

    const tag = `million-${way}`;
    const begun = performance.now();
    const id = dataOf(await graphql(port, CREATE_IMPORT, { listId: 3 }), 'createImport').createImport.id as string;
    const cpuAtAppends = gateway.process.cpuMs();
    const appendsBegun = performance.now();
    const requestMs: number[] = [];
    const perRequest = way === 'appendContacts' ? APPEND_ROWS : FILE_ROWS;
    const requests = Math.ceil(MILLION / perRequest);
    // The next request's body is made while the gateway works on the current one.
    const make = (i: number): string =>
      way === 'appendContacts'
        ? JSON.stringify({
            query: APPEND_CONTACTS,
            variables: { id, contacts: contacts(Math.min(perRequest, MILLION - i * perRequest), tag, i * perRequest) },
          })
        : contactsCsv(Math.min(perRequest, MILLION - i * perRequest), tag, i * perRequest);
    let next: string | undefined = make(0);
    for (let i = 0; i < requests; i++) {
      const body = next as string;
      const pending = way === 'appendContacts' ? send(port, 'application/json', body) : appendFile(port, id, body);
      next = i + 1 < requests ? make(i + 1) : undefined;
      const answer = await pending;
      dataOf(answer, `${way} ${i + 1} of ${requests}`);
      requestMs.push(answer.ms);
    }
    const appendMs = performance.now() - appendsBegun;
    const gatewayCpuAppends = gateway.process.cpuMs() - cpuAtAppends;
    await sample();
    const redisAfterAppends = await redis.usedMemory();

    phase = 'chunks';
    const cpuAtRun = [gateway.process.cpuMs(), cpuMsOf(redis.pid), simulator.process.cpuMs()];
    const runBegun = Date.now();
    // A start that answers SERVICE_UNAVAILABLE is tried again, as a client would (a repeated start is safe).
    const startAnswers: string[] = [];
    let started: ImportStatus | undefined;
    while (!started) {
      const answer = await graphql<{ startImport: ImportStatus }>(port, START_IMPORT, { id });
      const code = answer.errors?.[0]?.extensions?.code;
      startAnswers.push(`${Math.round(answer.ms)} ms${code ? ` ${code}` : ''}`);
      if (code === 'SERVICE_UNAVAILABLE' && startAnswers.length < 5) await sleep(1_000);
      else started = dataOf(answer, 'startImport').startImport;
    }
    if (started.total !== MILLION) throw new Error(`startImport: ${JSON.stringify(started)}`);
    const ended = await untilEnded(port, id, { everyMs: 500 });
    const runMs = Date.parse(ended.finishedAt as string) - runBegun;
    const totalMs = performance.now() - begun;
    const gatewayCpuRun = gateway.process.cpuMs() - (cpuAtRun[0] as number);
    const redisCpuRun = cpuMsOf(redis.pid) - (cpuAtRun[1] as number);
    const simulatorCpuRun = simulator.process.cpuMs() - (cpuAtRun[2] as number);
    await sample();
    clearInterval(sampler);
    clearInterval(heapSampler);
    sampler = undefined;
    checkEnded(ended, MILLION, way);
    const redisAtEnd = await redis.usedMemory();
    const slow = ((await redis.client.slowlog('GET', 1000)) as Array<[number, number, number, string[]]>)
      .map(([, , micros, args]) => ({ ms: micros / 1000, command: String(args[0]).toUpperCase() }))
      .sort((a, b) => b.ms - a.ms);
    const peakOf = (which: Phase) => Math.max(...samples.filter((s) => s.phase === which).map((s) => s.rss));
    return {
      way,
      requests,
      rssAtStart,
      idle,
      peakAppends: peakOf('appends'),
      peakChunks: peakOf('chunks'),
      hwm: rssMiBOf(pid, 'VmHWM'),
      redisEmpty,
      redisAfterAppends,
      redisPeak: Math.max(...samples.map((s) => s.redisUsed).filter(Number.isFinite)),
      redisAtEnd,
      redisRssPeak,
      appendMs,
      requestMedianMs: median(requestMs),
      requestMaxMs: Math.max(...requestMs),
      runMs,
      totalMs,
      gatewayCpuAppends,
      gatewayCpuRun,
      redisCpuRun,
      simulatorCpuRun,
      ended,
      heapIdle,
      heapAtPeak,
      heapUsedLowest,
      startAnswers,
      slowCommands: slow,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    if (heapSampler) clearInterval(heapSampler);
    await gateway?.process.stop();
    await simulator.process.stop();
    await redis.stop();
  }
}

async function partMillion(): Promise<void> {
  const results: MillionResult[] = [];
  const ways = (process.env.BENCH_IMPORT_WAYS ?? 'appendContacts,appendFile').split(',');
  for (const way of ['appendContacts', 'appendFile'] as const) if (ways.includes(way)) results.push(await million(way));
  const rowsLabel = MILLION.toLocaleString('en');
  const wayLabel = (r: MillionResult) =>
    r.way === 'appendContacts'
      ? `${r.requests} appendContacts of ${Math.min(APPEND_ROWS, MILLION)}`
      : `${r.requests} appendFile CSV of ${Math.min(FILE_ROWS, MILLION)}`;
  printTable(
    `Imports 2a: ${rowsLabel} rows with Redis, the gateway's RSS (VmRSS every ${SAMPLE_EVERY_MS} ms; VmHWM, the kernel's high-water mark since start, beside it), MiB; idle = median over 2 s after a 1,000-row warm-up import; target: peak within 150 MB (${RSS_TARGET_MIB.toFixed(1)} MiB) of idle`,
    results.map((r) => {
      const peak = Math.max(r.peakAppends, r.peakChunks);
      return {
        rows: wayLabel(r),
        'RSS at start': round(r.rssAtStart),
        idle: round(r.idle),
        'peak, appends': round(r.peakAppends),
        'peak, chunks running': round(r.peakChunks),
        VmHWM: round(r.hwm),
        'peak - idle': round(peak - r.idle),
        'VmHWM - idle': round(r.hwm - r.idle),
        target: `<= ${RSS_TARGET_MIB.toFixed(1)}`,
        verdict: Math.max(peak, r.hwm) - r.idle <= RSS_TARGET_MIB ? 'met' : 'missed',
      };
    }),
  );
  const perMillion = (bytes: number) => round((bytes / MiB) * (1_000_000 / MILLION));
  const heapRow = (label: string, heap: HeapBreakdown | undefined, lowest?: number) => ({
    rows: label,
    RSS: round(heap?.rss ?? Number.NaN),
    'new space': round(heap?.newSpace ?? Number.NaN),
    'old space': round(heap?.oldSpace ?? Number.NaN),
    'large objects': round(heap?.largeObjects ?? Number.NaN),
    code: round(heap?.code ?? Number.NaN),
    'heap used': round(heap?.heapUsed ?? Number.NaN),
    external: round(heap?.external ?? Number.NaN),
    'rest (RSS - heap spaces - external)': heap
      ? round(heap.rss - heap.newSpace - heap.oldSpace - heap.largeObjects - heap.code - heap.external)
      : '-',
    'heap used, lowest in the phase': lowest === undefined ? '-' : round(lowest),
  });
  printTable(
    "Imports 2a': where the gateway's memory is, from its /metrics (V8 heap spaces' committed size, external memory), MiB: idle, the sample (one a second) with the highest RSS, and the lowest heap used in each phase (what stays live: it follows a major collection)",
    results.flatMap((r) => [
      heapRow(`${wayLabel(r)}, idle`, r.heapIdle),
      heapRow(`${wayLabel(r)}, at the peak`, r.heapAtPeak),
      heapRow(`${wayLabel(r)}, appends`, undefined, r.heapUsedLowest.appends),
      heapRow(`${wayLabel(r)}, chunks running`, undefined, r.heapUsedLowest.chunks),
    ]),
  );
  printTable(
    `Imports 2b: Redis's INFO memory used_memory, MiB; per million rows = (used - before) x 1,000,000 / ${rowsLabel}`,
    results.map((r) => ({
      rows: wayLabel(r),
      before: round(r.redisEmpty / MiB, 1),
      'after the appends (before startImport)': round(r.redisAfterAppends / MiB),
      'per million rows, after the appends': perMillion(r.redisAfterAppends - r.redisEmpty),
      'highest sampled': round(r.redisPeak / MiB),
      'at the end': round(r.redisAtEnd / MiB, 1),
      'per million rows, at the end': round(((r.redisAtEnd - r.redisEmpty) / MiB) * (1_000_000 / MILLION), 1),
      'redis-server peak RSS': round(r.redisRssPeak),
    })),
  );
  printTable(
    `Imports 2c: ${rowsLabel} rows with Redis, against the simulator as its own process (node dist/simulator/main.js), IMPORT_CONCURRENCY=${IMPORT_CONCURRENCY}; rows per second`,
    results.map((r) => ({
      rows: wayLabel(r),
      'appends s': round(r.appendMs / 1000, 1),
      'append rows/s': round(MILLION / (r.appendMs / 1000)),
      'request median / max ms': `${round(r.requestMedianMs)} / ${round(r.requestMaxMs)}`,
      'gateway CPU, appends s': round(r.gatewayCpuAppends / 1000, 1),
      startImport: r.startAnswers.join(', '),
      'run s (startImport to finishedAt)': round(r.runMs / 1000, 1),
      'run rows/s': round(MILLION / (r.runMs / 1000)),
      chunks: r.ended.chunks,
      'CPU s in the run: gateway / Redis / simulator': `${round(r.gatewayCpuRun / 1000, 1)} / ${round(r.redisCpuRun / 1000, 1)} / ${round(r.simulatorCpuRun / 1000, 1)}`,
      'createImport to end rows/s': round(MILLION / (r.totalMs / 1000)),
      ended: `${r.ended.state}, ${r.ended.created} created, ${r.ended.failed} failed`,
    })),
  );
  for (const r of results) {
    const byCommand = new Map<string, number[]>();
    for (const { command, ms } of r.slowCommands) byCommand.set(command, [...(byCommand.get(command) ?? []), ms]);
    const summary = [...byCommand]
      .map(([command, times]) => `${command} x${times.length} (longest ${round(Math.max(...times))} ms)`)
      .join(', ');
    console.log(`${wayLabel(r)}: Redis commands of 100 ms or more (SLOWLOG): ${summary || 'none'}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. A copy SIGKILLed mid-import

type CallRecord = [requestId: string, arrived: number, answered: number];

async function upstreamCalls(port: number): Promise<CallRecord[]> {
  const response = await request(`http://127.0.0.1:${port}/__calls`);
  return ((await response.body.json()) as { calls: CallRecord[] }).calls;
}

async function resetUpstream(port: number): Promise<void> {
  const response = await request(`http://127.0.0.1:${port}/__reset`, { method: 'POST' });
  await response.body.dump();
}

const chunkOf = (requestId: string, importId: string): number | undefined => {
  const prefix = `${importId}-`;
  return requestId.startsWith(prefix) ? Number(requestId.slice(prefix.length)) : undefined;
};

interface KillTrial {
  readonly chunks: number;
  readonly sentByA: number;
  readonly inFlightAtKill: number;
  readonly stalled: number;
  /** ms after the kill that B sent the first and the last of them. */
  readonly firstTakeUp: number;
  readonly lastTakeUp: number;
  readonly plateauFrom: number | undefined;
  readonly chunksDoneMoves: number | undefined;
  readonly endedAfter: number;
  /** Chunks copy A held (active) but had not sent when it was killed. */
  readonly heldUnsent: number;
  readonly ended: ImportStatus;
}

async function killTrial(
  trial: number,
  redis: BenchRedis,
  upstreams: { a: number; b: number },
  copyB: { port: number },
): Promise<KillTrial> {
  await resetUpstream(upstreams.a);
  await resetUpstream(upstreams.b);
  const env = {
    IMPORT_STALL_MS: String(STALL_MS),
    IMPORT_CONCURRENCY: String(KILL_CONCURRENCY),
    SHUTDOWN_GRACE_MS: '1000',
  };
  const copyA = await startGateway(`http://127.0.0.1:${upstreams.a}/api/v1`, redis, env);
  const exited = new Promise<void>((resolve) => copyA.process.child.once('exit', () => resolve()));
  let killedAt = 0;
  try {
    await sleep(1_000);
    const started = dataOf(
      await graphql(copyB.port, IMPORT_CONTACTS, { listId: 9, contacts: contacts(KILL_ROWS, `kill-${trial}`) }),
      'importContacts',
    ).importContacts as { id: string; chunks: number };
    const id = started.id;
    // Kill copy A once it has its calls in flight (sent, not answered).
    let inFlight = 0;
    const giveUpAt = Date.now() + 10_000;
    for (;;) {
      const calls = (await upstreamCalls(upstreams.a)).filter(([requestId]) => chunkOf(requestId, id) !== undefined);
      inFlight = calls.filter(([, , answered]) => answered === 0).length;
      if (inFlight >= KILL_CONCURRENCY || (inFlight > 0 && Date.now() > giveUpAt - 8_000)) break;
      if (Date.now() > giveUpAt) throw new Error('copy A never had a chunk in flight');
      await sleep(5);
    }
    killedAt = Date.now();
    copyA.process.child.kill('SIGKILL');
    await exited;

    const series: Array<[number, number]> = [];
    const ended = await untilEnded(copyB.port, id, {
      everyMs: 50,
      timeoutMs: 60_000,
      onStatus: (status, at) => series.push([at - killedAt, status.chunksDone]),
    });
    checkEnded(ended, KILL_ROWS, `kill trial ${trial}`);
    const callsA = (await upstreamCalls(upstreams.a)).filter(([requestId]) => chunkOf(requestId, id) !== undefined);
    const callsB = (await upstreamCalls(upstreams.b)).filter(([requestId]) => chunkOf(requestId, id) !== undefined);
    // Every call copy A made (one sent just before the kill may arrive a moment after it).
    const sentByA = new Set(callsA.map(([r]) => chunkOf(r, id)));
    // The killed copy's chunks: those it had sent that copy B sent again after the kill.
    const takeUps = new Map<number, number>();
    for (const [requestId, arrived] of callsB) {
      const chunk = chunkOf(requestId, id) as number;
      if (arrived > killedAt && sentByA.has(chunk) && !takeUps.has(chunk)) takeUps.set(chunk, arrived - killedAt);
    }
    const firstTakeUp = Math.min(...takeUps.values());
    // Chunks copy A held without having sent them yet: B sends them first along with the taken-up ones, not before.
    const firstSendB = new Map<number, number>();
    for (const [requestId, arrived] of callsB) {
      const chunk = chunkOf(requestId, id) as number;
      if (!firstSendB.has(chunk)) firstSendB.set(chunk, arrived - killedAt);
    }
    for (const [chunk, after] of firstSendB) {
      if (!sentByA.has(chunk) && after >= firstTakeUp - 50) takeUps.set(chunk, after);
    }
    const heldUnsent = takeUps.size - [...takeUps.keys()].filter((chunk) => sentByA.has(chunk)).length;
    const afters = [...takeUps.values()];
    // chunksDone's plateau: every chunk but the killed copy's counted, before the first of those is sent again.
    const plateauValue = started.chunks - takeUps.size;
    const plateau = series.find(([, done]) => done === plateauValue);
    const moves = series.find(([at, done]) => done > plateauValue && at >= firstTakeUp);
    return {
      chunks: started.chunks,
      sentByA: sentByA.size,
      inFlightAtKill: inFlight,
      stalled: takeUps.size,
      firstTakeUp,
      lastTakeUp: Math.max(...afters),
      plateauFrom: plateau && plateau[0] < firstTakeUp ? plateau[0] : undefined,
      chunksDoneMoves: moves?.[0],
      endedAfter: Date.parse(ended.finishedAt as string) - killedAt,
      heldUnsent,
      ended,
    };
  } finally {
    if (killedAt === 0) await copyA.process.stop();
  }
}

async function partKill(): Promise<void> {
  const redis = await startRedis();
  const upstreamProcesses: RunningProcess[] = [];
  let copyB: { port: number; process: RunningProcess } | undefined;
  const trials: KillTrial[] = [];
  try {
    const ports = { a: await freePort(), b: await freePort() };
    for (const port of [ports.a, ports.b]) {
      upstreamProcesses.push(
        await startNodeProcess(
          'bench/lib/imports-upstream.ts',
          { PORT: String(port), LATENCY_MS: String(KILL_UPSTREAM_LATENCY_MS) },
          /listening/,
        ),
      );
    }
    copyB = await startGateway(`http://127.0.0.1:${ports.b}/api/v1`, redis, {
      IMPORT_STALL_MS: String(STALL_MS),
      IMPORT_CONCURRENCY: String(KILL_CONCURRENCY),
      SHUTDOWN_GRACE_MS: '1000',
    });
    for (let trial = 1; trial <= KILL_TRIALS; trial++) trials.push(await killTrial(trial, redis, ports, copyB));
  } finally {
    await copyB?.process.stop();
    for (const upstream of upstreamProcesses) await upstream.stop();
    await redis.stop();
  }
  const target = STALL_MS + 1_000;
  const rows = trials.map((t, i) => ({
    trial: i + 1,
    chunks: t.chunks,
    'A had sent': t.sentByA,
    'A in flight at kill': t.inFlightAtKill,
    'taken up by B (of them held, not sent)': `${t.stalled} (${t.heldUnsent})`,
    'first sent again ms': t.firstTakeUp,
    'last sent again ms': t.lastTakeUp,
    'chunksDone still from ms': t.plateauFrom ?? '-',
    'chunksDone moves again ms': t.chunksDoneMoves ?? '-',
    'import ended ms': t.endedAfter,
    'created / rows': `${t.ended.created} / ${KILL_ROWS}`,
    target: `<= ${target}`,
    verdict: t.lastTakeUp <= target ? 'met' : 'missed',
  }));
  printTable(
    `Imports 3: two copies on one Redis, IMPORT_STALL_MS=${STALL_MS}, IMPORT_CONCURRENCY=${KILL_CONCURRENCY} each, each copy's own upstream answering after ${KILL_UPSTREAM_LATENCY_MS} ms; importContacts of ${KILL_ROWS} rows, copy A SIGKILLed with its calls in flight; times in ms after the kill; target: taken up within IMPORT_STALL_MS + 1 s`,
    rows,
  );
  const last = trials.map((t) => t.lastTakeUp);
  const moves = trials.map((t) => t.chunksDoneMoves).filter((v): v is number => v !== undefined);
  console.log(
    `take-up (last chunk sent again): median ${round(median(last))} ms, max ${round(Math.max(...last))} ms; chunksDone moved again: median ${round(median(moves))} ms, max ${round(Math.max(...moves))} ms`,
  );
}

/** The machine's load: the figures are only as quiet as the machine was. */
const load = (when: string) =>
  console.log(
    `load average ${when}: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(', ')} (${new Date().toISOString()})`,
  );

for (const [part, run] of [
  ['answer', partAnswer],
  ['million', partMillion],
  ['kill', partKill],
] as const) {
  if (!PARTS.has(part)) continue;
  load(`before ${part}`);
  await run();
  load(`after ${part}`);
}
