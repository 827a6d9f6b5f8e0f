import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A real Redis for the tests of the Redis engine: Debian's `redis-server`
 * (CI installs it) on a free loopback port, in a temporary folder of its own,
 * with nothing saved on its own (`--save '' --appendonly no`). It can be
 * stopped and started again on the same port (an outage): `stop({ keepData:
 * true })` saves its data first (SHUTDOWN SAVE), as a Redis run with AOF on
 * would keep it, and the next start loads it.
 *
 * When `redis-server` is not on PATH the tests that need it skip with a printed
 * reason, except under CI=true, where they fail loudly (`redisServerMissing`).
 */

const BINARY = 'redis-server';
/** How long a start may take before it counts as failed. */
const START_TIMEOUT_MS = 15_000;

function findRedisServer(): string | undefined {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  return probe.stdout.trim();
}

/** `redis-server --version`'s line, or undefined when it is not on PATH. */
export const REDIS_SERVER_VERSION = findRedisServer();

/**
 * Why the Redis tests cannot run here, or undefined when they can. Throws under
 * CI=true: CI installs Redis (.ci/run), so a missing one is a broken run, not a skip.
 */
export function redisServerMissing(suite: string): string | undefined {
  if (REDIS_SERVER_VERSION !== undefined) return undefined;
  const reason = `no ${BINARY} on PATH. Install it (apt-get install redis-server) to run ${suite}.`;
  if (process.env.CI) {
    throw new Error(`${suite} must run under CI, but there is ${reason}`);
  }
  console.warn(`Skipping ${suite}: ${reason}`);
  return reason;
}

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** True while the server process runs. */
  running(): boolean;
  /**
   * Stops the server and waits until it is gone. `keepData`: SHUTDOWN SAVE
   * (the next start loads the data); otherwise SIGKILL (the data is lost).
   */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and deletes its folder. */
  close(): Promise<void>;
  /** What the server printed (its log), over every start. */
  log(): string;
}

const open = new Set<RedisServer>();

/** Stops every Redis a test left running (call it from afterEach / afterAll). */
export async function closeRedisServers(): Promise<void> {
  await Promise.all([...open].map((server) => server.close()));
}

// A worker that ends without its afterAll (a crash, a timeout) still leaves no Redis behind.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Sends one inline command and resolves with the first reply line (or '' when the connection closes first). */
function command(port: number, text: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${text} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply.split('\r\n')[0] ?? '');
    };
    socket.once('connect', () => socket.write(`${text}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) finish();
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish());
  });
}

/** Starts a Redis on a free loopback port and waits until it answers PING. */
export async function startRedisServer(): Promise<RedisServer> {
  if (REDIS_SERVER_VERSION === undefined) throw new Error(`no ${BINARY} on PATH`);
  const folder = mkdtempSync(join(tmpdir(), 'graph8-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const launch = async (): Promise<void> => {
    const started = spawn(
      BINARY,
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
        '--dbfilename',
        'dump.rdb',
        '--daemonize',
        'no',
        '--logfile',
        '',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    children.add(started);
    started.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    started.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    exited = new Promise<void>((resolve) =>
      started.once('exit', () => {
        children.delete(started);
        resolve();
      }),
    );
    const giveUpAt = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`redis-server exited at start (port ${port}):\n${log}`);
      }
      const answer = await command(port, 'PING').catch(() => '');
      if (answer === '+PONG') return;
      if (Date.now() > giveUpAt) {
        started.kill('SIGKILL');
        await exited;
        throw new Error(`redis-server did not answer PING on port ${port} within ${START_TIMEOUT_MS} ms:\n${log}`);
      }
      await sleep(20);
    }
  };

  // The free port may be taken between the probe and the start: try another (only on the first start).
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/i.test(log)) {
        rmSync(folder, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const stop = async (options: { keepData?: boolean } = {}) => {
    if (!running()) return;
    if (options.keepData) {
      // Answers nothing when it works: the server saves and exits, closing the connection.
      await command(port, 'SHUTDOWN SAVE', 10_000).catch(() => '');
      const saved = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!saved) throw new Error(`redis-server on port ${port} did not shut down after SHUTDOWN SAVE:\n${log}`);
    } else {
      child?.kill('SIGKILL');
      await exited;
    }
  };
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    running,
    stop,
    async start() {
      if (running()) throw new Error(`redis-server on port ${port} is running already`);
      await launch();
    },
    async close() {
      open.delete(server);
      await stop();
      rmSync(folder, { recursive: true, force: true });
    },
    log: () => log,
  };
  open.add(server);
  return server;
}
