import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './processes.js';

/**
 * The budget benchmark's Redis: Debian's `redis-server` on a free loopback
 * port, in a temporary folder, saving nothing (`--save '' --appendonly no`).
 * `stop()` kills it and deletes the folder. (The tests have their own helper;
 * benchmarks never import from test/.)
 */
export interface BudgetRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

/** Sends PING and answers the first reply line ('' when the connection fails). */
function ping(port: number, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply.split('\r\n')[0] ?? '');
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) finish();
    });
    socket.once('error', finish);
    socket.once('close', finish);
  });
}

export async function startBudgetRedis(): Promise<BudgetRedis> {
  const folder = mkdtempSync(join(tmpdir(), 'graph8-bench-budget-redis-'));
  const port = await freePort();
  let log = '';
  let spawnError: Error | undefined;
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      folder,
      '--daemonize',
      'no',
      '--logfile',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.once('error', (error) => {
    spawnError = error;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // A benchmark that dies without stop() still leaves no Redis behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  };
  const giveUpAt = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`redis-server could not start (${spawnError.message}); install it: apt-get install redis-server`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`redis-server exited at start (port ${port}):\n${log}`);
    }
    if ((await ping(port)) === '+PONG') break;
    if (Date.now() > giveUpAt) {
      await stop();
      throw new Error(`redis-server did not answer PING on port ${port} within ${START_TIMEOUT_MS} ms:\n${log}`);
    }
    await sleep(20);
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop };
}
