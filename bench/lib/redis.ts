import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './processes.js';

/**
 * A Redis of the benchmark's own: Debian's `redis-server` on a free loopback
 * port, in a temporary folder, saving nothing (`--save '' --appendonly no`),
 * with `maxmemory-policy noeviction` as the imports contract asks. `stop()`
 * kills it and deletes the folder; a benchmark that ends without stopping it
 * still kills it on exit.
 */
export interface BenchRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** INFO memory's used_memory, in bytes. */
  usedMemory(): Promise<number>;
  /** The server process's resident set size, in MiB (from /proc). */
  rssMiB(): number;
  /** A plain client (closed by stop()). */
  readonly client: Redis;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;
const running = new Set<ChildProcess>();
const folders = new Set<string>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

export async function startRedis(): Promise<BenchRedis> {
  const folder = mkdtempSync(join(tmpdir(), 'graph8-bench-redis-'));
  folders.add(folder);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
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
        '--maxmemory-policy',
        'noeviction',
        '--dir',
        folder,
        '--daemonize',
        'no',
        '--logfile',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child);
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        running.delete(child);
        resolve();
      }),
    );
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    const giveUpAt = Date.now() + START_TIMEOUT_MS;
    let ready = false;
    while (!ready && child.exitCode === null && Date.now() < giveUpAt) {
      ready = await client
        .connect()
        .then(() => client.ping())
        .then(
          (answer) => answer === 'PONG',
          () => false,
        );
      if (!ready) {
        client.disconnect();
        await sleep(50);
      }
    }
    if (!ready) {
      client.disconnect();
      child.kill('SIGKILL');
      await exited;
      if (attempt < 3 && /Address already in use/i.test(log)) continue;
      rmSync(folder, { recursive: true, force: true });
      throw new Error(`redis-server did not start on port ${port}:\n${log}`);
    }
    const pid = child.pid as number;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      pid,
      client,
      async usedMemory() {
        const info = await client.info('memory');
        return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
      },
      rssMiB() {
        try {
          const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
          return Number(kib ?? 0) / 1024;
        } catch {
          return 0;
        }
      },
      async stop() {
        client.disconnect();
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
        rmSync(folder, { recursive: true, force: true });
        folders.delete(folder);
      },
    };
  }
}
