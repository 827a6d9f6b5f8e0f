import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { inject } from 'vitest';

/**
 * The built gateway (test/helpers/build-gateway.ts builds it once per run) in a
 * process of its own, started as `npm start` starts it: `process.execPath`
 * with the start script's node flags, never through npm. Its environment holds
 * PATH and the given variables only, so that a GRAPH8_API_KEY in the shell
 * cannot point a test at the live API.
 */

const root = new URL('../../', import.meta.url).pathname;

/** `npm start`'s node flags and script, read from package.json ("node --flag ... dist/main.js"). */
function startCommand(): { nodeOptions: string[]; script: string } {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = manifest.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`npm start no longer runs node: ${manifest.scripts.start}`);
  return { nodeOptions: words.slice(1, -1), script: words.at(-1) as string };
}

/** The package.json version the built gateway reports. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface GatewayProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Every stdout line so far (JSON log lines). */
  readonly stdoutLines: string[];
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** The stdout lines parsed as JSON (lines that are not JSON left out). */
  logs(): Array<Record<string, any>>;
  /** Resolves once a stdout line matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<Exit>;
  /** SIGKILL if it still runs; resolves once it is gone. */
  kill(): Promise<void>;
}

const running = new Set<GatewayProcess>();

/** Kills every gateway process a test left running (call it from afterEach). */
export async function killGatewayProcesses(): Promise<void> {
  await Promise.all([...running].map((gateway) => gateway.kill()));
}

/** Starts the built gateway with these variables (and command-line arguments); does not wait for anything. */
export function spawnGateway(env: Record<string, string>, args: readonly string[] = []): GatewayProcess {
  const { nodeOptions, script } = startCommand();
  const child = spawn(process.execPath, [...nodeOptions, join(inject('builtGateway'), script), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdoutLines: string[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    stdoutLines.push(...lines.filter((line) => line.length > 0));
    for (const waiter of waiters) waiter();
  });
  child.stdout.once('end', () => {
    if (partial.length > 0) stdoutLines.push(partial);
    partial = '';
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const waiter of waiters) waiter();
      resolve({ code, signal });
    }),
  );
  const gateway: GatewayProcess = {
    child,
    stdoutLines,
    stderr: () => stderr,
    logs: () =>
      stdoutLines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, any>];
        } catch {
          return [];
        }
      }),
    waitForLine(pattern, timeoutMs = 15_000) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const line = stdoutLines.find((candidate) => pattern.test(candidate));
          if (line !== undefined) {
            done();
            resolve(line);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`the gateway exited before printing ${pattern}:\n${stdoutLines.join('\n')}\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${stdoutLines.join('\n')}\n${stderr}`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      running.delete(gateway);
    },
  };
  running.add(gateway);
  void exited.then(() => running.delete(gateway));
  return gateway;
}

export interface StartedGateway extends GatewayProcess {
  /** http://127.0.0.1:<port>/graphql, from its start line. */
  readonly url: string;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
}

/**
 * Starts the built gateway on a free port (PORT=0 unless given) and waits for
 * the line that gives its URL (logged at info: LOG_LEVEL must leave it on).
 */
export async function startGatewayProcess(env: Record<string, string> = {}): Promise<StartedGateway> {
  const gateway = spawnGateway({ PORT: '0', ...env });
  const line = await gateway.waitForLine(/"url":"http:\/\/[^"]+\/graphql"/).catch(async (error: unknown) => {
    await gateway.kill();
    throw error;
  });
  const url = (JSON.parse(line) as { url: string }).url;
  return Object.assign(gateway, { url, origin: new URL(url).origin });
}

/** Runs the built gateway to its end (for --help, --version and start-up failures). */
export async function runGateway(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<Exit & { stdout: string; stderr: string }> {
  const gateway = spawnGateway(env, args);
  const timer = setTimeout(() => void gateway.kill(), 15_000);
  const exit = await gateway.exited;
  clearTimeout(timer);
  // The pipes may still hold the last bytes when 'exit' fires.
  await Promise.all(
    [gateway.child.stdout, gateway.child.stderr].map(
      (stream) => new Promise<void>((resolve) => (stream.readableEnded ? resolve() : stream.once('close', resolve))),
    ),
  );
  return { ...exit, stdout: gateway.stdoutLines.join('\n'), stderr: gateway.stderr() };
}
