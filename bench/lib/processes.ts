import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const CLOCK_TICKS_PER_SECOND = 100;

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** User + system CPU time the process has used so far, in milliseconds (from /proc). */
  cpuMs(): number;
  /** Resident set size now, in MiB. */
  rssMiB(): number;
  /** Highest resident set size so far, in MiB. */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts `node <script> <args>` and waits until it is ready: a line matching
 * `ready` on stdout, or, given a URL, a 200 from it (stdout then goes to
 * /dev/null, so that a chatty process's lines cost the benchmark nothing).
 */
export async function startNodeProcess(
  script: string,
  env: Record<string, string>,
  ready: RegExp | string,
  args: readonly string[] = [],
  nodeOptions: readonly string[] = [],
): Promise<RunningProcess> {
  // TypeScript through the tsx loader; plain JavaScript (the built gateway, the peer's CLI) as it is.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeOptions, ...loader, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', typeof ready === 'string' ? 'ignore' : 'pipe', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`))),
  );
  await Promise.race([typeof ready === 'string' ? pollUntilOk(ready) : lineOnStdout(child, ready), exited]);
  const pid = child.pid as number;
  const status = () => readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1] ?? 0);
  return {
    child,
    pid,
    cpuMs() {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const ticks = Number(fields[11]) + Number(fields[12]);
      return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
    },
    rssMiB: () => kib('VmRSS') / 1024,
    peakRssMiB: () => kib('VmHWM') / 1024,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A script of bench/lib that logs `listening` once it serves on `PORT`, started on a free port. */
async function startOnFreePort(
  script: string,
  env: Record<string, string> = {},
  nodeOptions: readonly string[] = [],
): Promise<{ port: number; process: RunningProcess }> {
  const port = await freePort();
  const child = await startNodeProcess(script, { ...env, PORT: String(port) }, /listening/, [], nodeOptions);
  return { port, process: child };
}

/** bench/lib/minimal-upstream.ts in a process of its own, answering batch calls after `latencyMs`. */
export function startMinimalUpstream(latencyMs = 0): Promise<{ port: number; process: RunningProcess }> {
  return startOnFreePort('bench/lib/minimal-upstream.ts', { LATENCY_MS: String(latencyMs) });
}

/**
 * The floor: bench/lib/bare-proxy.ts, a bare Node server making the same
 * upstream calls as the gateway with no GraphQL at all, in a process of its own.
 */
export function startBareProxy(
  upstreamPort: number,
  upstreamConcurrency = 8,
): Promise<{ port: number; process: RunningProcess }> {
  return startOnFreePort('bench/lib/bare-proxy.ts', {
    GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
    UPSTREAM_CONCURRENCY: String(upstreamConcurrency),
  });
}

/**
 * bench/lib/bare-yoga-server.ts: Yoga alone (the gateway's engine settings and
 * Node layer, one resolver making the same upstream call) with `npm start`'s
 * node flags, in a process of its own.
 */
export function startBareYoga(upstreamPort: number): Promise<{ port: number; process: RunningProcess }> {
  return startOnFreePort(
    'bench/lib/bare-yoga-server.ts',
    { GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1` },
    npmStartCommand().nodeOptions,
  );
}

/** `npm start`'s node flags and script (`node --flag dist/main.js`), so that benchmarks run exactly what it runs. */
function npmStartCommand(): { nodeOptions: string[]; script: string } {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const words = manifest.scripts.start.split(/\s+/).slice(1);
  return { nodeOptions: words.slice(0, -1), script: words.at(-1) ?? 'dist/main.js' };
}

/**
 * Starts the built gateway (which `npm run bench` builds first) on `env.PORT`
 * as `npm start` runs it, waiting for /readiness. Its log lines (one per
 * mutation at info) are written to /dev/null rather than read by the process
 * that also drives the load.
 */
export function startGatewayProcess(env: Record<string, string> & { PORT: string }): Promise<RunningProcess> {
  const { nodeOptions, script } = npmStartCommand();
  const readiness = `http://127.0.0.1:${env.PORT}/readiness`;
  return startNodeProcess(script, { LOG_LEVEL: 'info', ...env }, readiness, [], nodeOptions);
}

async function pollUntilOk(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function lineOnStdout(child: ChildProcess, ready: RegExp): Promise<void> {
  return new Promise<void>((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (ready.test(seen)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(columns));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(columns.map((column) => String(row[column]))));
}
