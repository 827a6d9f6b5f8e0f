import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { killGatewayProcesses, type StartedGateway, startGatewayProcess } from '../helpers/gateway-process.js';
import { until } from '../helpers/poll-until.js';
import { closeRedisServers, type RedisServer } from '../helpers/redis-server.js';
import type { Arrival, FromThread, SpentWindow, ToThread, UpstreamThreadOptions } from './shared-budget-upstream.js';

export type { Arrival, SpentWindow };

/**
 * What the shared-budget tests share: copies of the built gateway (each a real
 * process) on one real Redis, all sending to one loopback graph8 that records
 * every call with its arrival time (in a thread of its own); traffic drivers;
 * the arrivals counted per key and whole Unix second; /metrics read from each copy.
 *
 * The copies run in pass-through mode: the upstream key is the caller's own
 * bearer key, so one test can drive two keys. Each mutation carries an
 * x-request-id `<copy>.<key>.<worker>.<n>`, which the gateway forwards, so
 * every upstream call is known to come from one copy (an import's chunks
 * carry `<importId>-<chunk>`).
 */

/** Every copy's IMPORT_SECRET: the same on every copy, as the contract asks. */
export const IMPORT_SECRET = 'shared-budget-test-secret-0123456789abcdef';
/** Two upstream keys (pass-through: callers show them as bearer keys). */
export const KEY_A = 'g8-key-alpha';
export const KEY_B = 'g8-key-beta';
/** The key the warm-up sends with: a budget of its own, apart from the keys a test counts. */
export const WARM_UP_KEY = 'g8-key-warm-up';

const upstreams = new Set<BudgetUpstream>();
const clients = new Set<Redis>();

/** afterEach: kills every gateway copy, closes every upstream and Redis client, stops every Redis. */
export async function cleanUp(): Promise<void> {
  await killGatewayProcesses();
  for (const client of clients) client.disconnect();
  clients.clear();
  await Promise.all([...upstreams].map((upstream) => upstream.close()));
  upstreams.clear();
  await closeRedisServers();
}

/** The copy a mutation's call came from (`c1`, ...), or `import` for an import's chunk. */
export function copyOf(call: Arrival): string {
  return call.requestId.startsWith('imp_') ? 'import' : (call.requestId.split('.')[0] ?? '');
}

export interface Answered {
  /** The call that was answered with the spent window. */
  readonly call: Arrival;
  /** Date.now() (in the upstream's thread) when the answer was written. */
  readonly answeredAt: number;
  /** Until when the answer says the key's window is spent (epoch ms). */
  readonly resumeAt: number;
}

export interface BudgetUpstream {
  /** Base URL including /api/v1. */
  readonly url: string;
  /** Every call so far, in the order received (complete up to the last settle()). */
  readonly calls: Arrival[];
  /** Resolves once every call received so far is in `calls`. */
  settle(): Promise<void>;
  /** Answers the next call with `key` whose request id starts with `requestIdPrefix` with a spent window, once. */
  answerNext(key: string, requestIdPrefix: string, kind: SpentWindow): Promise<Answered>;
  /** How many calls were answered 503 on their first attempt (and so sent again), as of the last settle(). */
  failedFirstAttempts(): number;
  close(): Promise<void>;
}

/**
 * A loopback graph8 for every copy, in a worker thread: batch asserts answered
 * with every item created after `delayMs`; with `failFirstAttemptEvery`, some
 * first attempts answered 503 so that retries are part of the traffic; and
 * one-off spent windows (a 429, Remaining: 0) for the calls a test picks.
 */
export async function startBudgetUpstream(options: Partial<UpstreamThreadOptions> = {}): Promise<BudgetUpstream> {
  const workerData: UpstreamThreadOptions = { delayMs: 10, failFirstAttemptEvery: 0, ...options };
  const worker = new Worker(new URL('./shared-budget-upstream.mjs', import.meta.url), { workerData });
  const calls: Arrival[] = [];
  const waiting = new Map<number, (message: FromThread) => void>();
  let nextId = 1;
  let failed = 0;
  let closed: Promise<void> | undefined;
  const send = (message: ToThread) => worker.postMessage(message);
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: FromThread) => {
      if (message.type === 'ready') resolve(message.url);
      else if (message.type === 'call') calls.push(message.arrival);
      else if (message.type === 'answered' || message.type === 'settled') {
        if (message.type === 'settled') failed = message.failedFirstAttempts;
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    });
  });
  const ask = (make: (id: number) => ToThread) =>
    new Promise<FromThread>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      send(make(id));
    });
  const upstream: BudgetUpstream = {
    url,
    calls,
    settle: async () => {
      await ask((id) => ({ type: 'settle', id }));
    },
    answerNext: async (key, requestIdPrefix, kind) => {
      const message = await ask((id) => ({ type: 'answer-next', id, key, requestIdPrefix, kind }));
      if (message.type !== 'answered') throw new Error(`unexpected ${message.type}`);
      return { call: message.arrival, answeredAt: message.answeredAt, resumeAt: message.resumeAt };
    },
    failedFirstAttempts: () => failed,
    close: () => {
      closed ??= (async () => {
        const done = new Promise<void>((resolve) =>
          worker.on('message', (message: FromThread) => message.type === 'closed' && resolve()),
        );
        send({ type: 'close' });
        await Promise.race([done, sleep(5_000)]);
        await worker.terminate();
      })();
      return closed;
    },
  };
  upstreams.add(upstream);
  return upstream;
}

export interface CopyOptions {
  /** The Redis the copies use (REDIS_URL): a server, or a proxy in front of one. */
  readonly redis: Pick<RedisServer, 'url'>;
  /** Where the copies send (GRAPH8_API_URL). */
  readonly upstream: { readonly url: string };
  /** Extra variables (UPSTREAM_RATE_LIMIT, IMPORT_RATE_SHARE, ...). */
  readonly env?: Record<string, string>;
}

/**
 * `count` copies of the built gateway on the shared Redis and the one
 * upstream; resolves once each answers an operation that reads Redis (a copy
 * answers SERVICE_UNAVAILABLE for its first moments, while its Redis
 * connections are made: the imports tests wait that out too).
 */
export async function startCopies(
  count: number,
  { redis, upstream, env = {} }: CopyOptions,
): Promise<StartedGateway[]> {
  const copies = await Promise.all(
    Array.from({ length: count }, () =>
      startGatewayProcess({
        REDIS_URL: redis.url,
        IMPORT_SECRET,
        GRAPH8_API_URL: upstream.url,
        SHUTDOWN_GRACE_MS: '1000',
        LOG_LEVEL: 'info',
        ...env,
      }),
    ),
  );
  await Promise.all(
    copies.map((copy) =>
      until(
        'the copy answers',
        async () => {
          const answer = await graphql(copy, '{ imports(first: 1) { edges { node { id } } } }', {}, KEY_A);
          if (answer.body.errors) throw new Error(JSON.stringify(answer.body.errors));
          return true;
        },
        15_000,
        50,
      ),
    ),
  );
  return copies;
}

export interface GraphQLAnswer {
  readonly status: number;
  readonly body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** One GraphQL operation over HTTP with `Authorization: Bearer <key>` and, when given, an x-request-id. */
export async function graphql(
  copy: StartedGateway,
  query: string,
  variables: Record<string, unknown>,
  key: string,
  requestId?: string,
): Promise<GraphQLAnswer> {
  const response = await fetch(copy.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${key}`,
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLAnswer['body'] };
}

export const ASSERT_CONTACTS = `mutation($listId: Int!, $contacts: [ContactInput!]!) {
  assertContacts(listId: $listId, contacts: $contacts) { total created updated failed deduplicated chunks errors { index code message } }
}`;

export const IMPORT_CONTACTS = `mutation($listId: Int!, $contacts: [ContactInput!]!) {
  importContacts(listId: $listId, contacts: $contacts) { id state total chunks }
}`;

/** `count` contacts with distinct e-mails under `prefix`. */
export function contacts(count: number, prefix: string): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, index) => ({
    workEmail: `${prefix}-${index}@acme.example`,
    firstName: `First${index}`,
  }));
}

/** One mutation as a driver saw it. */
export interface Outcome {
  readonly requestId: string;
  readonly copy: string;
  readonly key: string;
  readonly startedAt: number;
  readonly ms: number;
  readonly status: number;
  /** The GraphQL errors, or the items that failed; empty when it all went through. */
  readonly problems: string[];
}

export interface Driver {
  readonly outcomes: Outcome[];
  /** Stops starting mutations; resolves with every outcome once those in flight have answered. */
  stop(): Promise<Outcome[]>;
}

export interface DriveOptions {
  /** Names the copy in request ids (`c1`). */
  readonly name: string;
  readonly key: string;
  /** Mutations in flight at once. */
  readonly workers: number;
  /** Contacts per assertContacts (100 per upstream call). */
  readonly contactsEach: number;
  /** Pause between one worker's mutations. */
  readonly gapMs?: number;
}

/** Keeps `workers` assertContacts mutations in flight against one copy with one key, until stopped. */
export function drive(copy: StartedGateway, options: DriveOptions): Driver {
  const { name, key, workers, contactsEach, gapMs = 0 } = options;
  const outcomes: Outcome[] = [];
  let stopped = false;
  const tag = key === KEY_A ? 'a' : key === KEY_B ? 'b' : 'k';
  const worker = async (w: number) => {
    for (let n = 0; !stopped; n++) {
      const requestId = `${name}.${tag}.${w}.${n}`;
      const startedAt = Date.now();
      let status = 0;
      let problems: string[];
      try {
        const answer = await graphql(
          copy,
          ASSERT_CONTACTS,
          { listId: 7, contacts: contacts(contactsEach, requestId) },
          key,
          requestId,
        );
        status = answer.status;
        const result = answer.body.data?.assertContacts;
        problems = answer.body.errors
          ? answer.body.errors.map((error) => `${String(error.extensions?.code)}: ${error.message}`)
          : result.failed > 0
            ? result.errors.map((error: { code: string; message: string }) => `${error.code}: ${error.message}`)
            : [];
      } catch (error) {
        problems = [String(error)];
      }
      outcomes.push({ requestId, copy: name, key, startedAt, ms: Date.now() - startedAt, status, problems });
      if (gapMs > 0) await sleep(gapMs);
    }
  };
  const running = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    outcomes,
    async stop() {
      stopped = true;
      await running;
      return outcomes;
    },
  };
}

/**
 * Runs each copy's code paths once before a test counts anything (mutations,
 * the budget's script, the upstream connections, an import's workers), with a
 * key of its own: a cold copy on a loaded machine can stall for hundreds of
 * milliseconds on its first calls.
 */
export async function warmUp(copies: readonly StartedGateway[]): Promise<void> {
  await Promise.all(
    copies.map(async (copy, index) => {
      for (let n = 0; n < 3; n++) {
        const requestId = `warm${index}.${n}`;
        const answer = await graphql(
          copy,
          ASSERT_CONTACTS,
          { listId: 7, contacts: contacts(150, requestId) },
          WARM_UP_KEY,
          requestId,
        );
        if (answer.body.errors) throw new Error(`warm-up: ${JSON.stringify(answer.body.errors)}`);
      }
      await metric(copy, 'graph8_upstream_budget_shared');
    }),
  );
  const started = await graphql(
    copies[0]!,
    IMPORT_CONTACTS,
    { listId: 7, contacts: contacts(600, 'warm-import') },
    WARM_UP_KEY,
  );
  if (started.body.errors) throw new Error(`warm-up import: ${JSON.stringify(started.body.errors)}`);
  await untilImportEnded(copies[0]!, started.body.data.importContacts.id, WARM_UP_KEY, 30_000);
}

const IMPORT_STATE = 'query($id: ID!) { import(id: $id) { state total processed created failed finishedAt } }';

/** The import as its owner sees it. */
export async function importOf(copy: StartedGateway, id: string, key: string): Promise<any> {
  const answer = await graphql(copy, IMPORT_STATE, { id }, key);
  if (answer.body.errors) throw new Error(JSON.stringify(answer.body.errors));
  return answer.body.data.import;
}

/** Polls the import until it has ended; resolves with it. */
export function untilImportEnded(copy: StartedGateway, id: string, key: string, timeoutMs: number): Promise<any> {
  return until(
    `import ${id} ended`,
    async () => {
      const record = await importOf(copy, id, key);
      return record?.finishedAt ? record : undefined;
    },
    timeoutMs,
    250,
  );
}

export interface SeenPause {
  /** Date.now() in this process when Redis told of the pause (a little after it was set). */
  readonly seenAt: number;
  /** Until when the pause holds (epoch ms), as Redis keeps it. */
  readonly resumeAt: number;
}

/**
 * Tells when a copy writes a key's pause into Redis: keyspace notifications on
 * the budget's pause keys (`g8:budget:{<key id>}:pause`), the moment from
 * which every copy's calls with that key must wait.
 */
export async function watchPauses(server: RedisServer): Promise<{ next(): Promise<SeenPause> }> {
  const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(server.url, { maxRetriesPerRequest: 1 });
  for (const client of [admin, subscriber]) {
    client.on('error', () => undefined);
    clients.add(client);
  }
  await admin.config('SET', 'notify-keyspace-events', 'K$');
  const waiting: Array<(pause: SeenPause) => void> = [];
  subscriber.on('pmessage', (_pattern: string, channel: string, event: string) => {
    const seenAt = Date.now();
    if (event !== 'set') return;
    const key = channel.slice(channel.indexOf(':') + 1);
    void admin.get(key).then((value) => {
      for (const resolve of waiting.splice(0)) resolve({ seenAt, resumeAt: Number(value) });
    });
  });
  await subscriber.psubscribe('__keyspace@0__:g8:budget:*:pause');
  return { next: () => new Promise<SeenPause>((resolve) => waiting.push(resolve)) };
}

/**
 * Waits for the start of the next Unix second (and `afterMs` more): traffic
 * that begins there spends each second's budget in its first moments, as
 * steady traffic does, instead of late in a second.
 */
export async function nextSecond(afterMs = 20): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + afterMs);
}

/** The outcomes that did not go through (a GraphQL error, a failed item, no answer). */
export function problemsOf(outcomes: readonly Outcome[]): Outcome[] {
  return outcomes.filter((outcome) => outcome.status !== 200 || outcome.problems.length > 0);
}

/** Calls per whole Unix second (Math.floor(ms / 1000)) of their arrival, in order. */
export function perSecond(calls: readonly Arrival[]): Array<[second: number, calls: number]> {
  const counts = new Map<number, number>();
  for (const call of calls) {
    const second = Math.floor(call.receivedAt / 1000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => a - b);
}

/** The per-second counts as a line for the test's report: `12 20 20 19 ...`. */
export function figures(counts: ReadonlyArray<[number, number]>): string {
  return counts.map(([, count]) => count).join(' ');
}

/** The calls that arrived in [from, to). */
export function arrivedBetween(calls: readonly Arrival[], from: number, to: number): Arrival[] {
  return calls.filter((call) => call.receivedAt >= from && call.receivedAt < to);
}

/** A metric's value on a copy's /metrics (the sum over its labels); undefined when it is not there. */
export async function metric(copy: StartedGateway, name: string): Promise<number | undefined> {
  const response = await fetch(`${copy.origin}/metrics`);
  const text = await response.text();
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === name) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

/** The log lines of a copy that match `pattern` in their message, at a level (pino's numbers: 30 info, 40 warn). */
export function logLines(copy: StartedGateway, pattern: RegExp, level?: number): Array<Record<string, any>> {
  return copy
    .logs()
    .filter(
      (line) => typeof line.msg === 'string' && pattern.test(line.msg) && (level === undefined || line.level === level),
    );
}

export { until };
