import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { killGatewayProcesses, type StartedGateway, startGatewayProcess } from '../helpers/gateway-process.js';
import { until } from '../helpers/poll-until.js';
import { type RecordedCall, type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';
import { closeRedisServers, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

/**
 * What the Redis engine's tests share: copies of the built gateway (each a
 * real process) on one real Redis, each sending to a loopback upstream of its
 * own, so that every upstream call is known to come from one copy; GraphQL
 * over HTTP and over Server-Sent Events; and a cleanup that leaves nothing
 * running.
 */

/** Every copy's IMPORT_SECRET: the same on every copy, as the contract asks. */
export const IMPORT_SECRET = 'redis-engine-test-secret-0123456789abcdef';
/** IMPORT_STALL_MS for every copy: a dead copy's chunks are taken up within this. */
export const STALL_MS = 4_000;

const upstreams = new Set<SlowUpstream>();
const clients = new Set<Redis>();
const copies = new Set<StartedGateway>();

/**
 * afterEach: kills every gateway copy, stops every Redis, closes every
 * upstream and Redis client; then fails the test if a copy had exited on its
 * own (a crash), with what it printed.
 */
export async function cleanUp(): Promise<void> {
  const crashed = [...copies].filter((copy) => copy.child.exitCode !== null);
  copies.clear();
  await killGatewayProcesses();
  for (const client of clients) client.disconnect();
  clients.clear();
  for (const upstream of upstreams) upstream.release();
  await Promise.all([...upstreams].map((upstream) => upstream.close()));
  upstreams.clear();
  await closeRedisServers();
  if (crashed.length > 0) {
    throw new Error(
      crashed
        .map(
          (copy) =>
            `a gateway copy exited on its own with code ${copy.child.exitCode}:\n${copy.stdoutLines.slice(-30).join('\n')}\n${copy.stderr()}`,
        )
        .join('\n\n'),
    );
  }
}

export { type RedisServer, startRedisServer };

/** A plain Redis client for looking into the store (disconnected by cleanUp). */
export function redisClient(server: RedisServer): Redis {
  const client = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  clients.add(client);
  return client;
}

export interface SlowUpstream extends RecordingUpstream {
  /** Calls the upstream has received and not yet answered. */
  unanswered(): RecordedCall[];
  /** Batch calls only (PUT /contacts/assert/batch), in the order received. */
  batchCalls(): RecordedCall[];
  /** From now on no batch call is answered (they wait) until release(); single asserts still are. */
  hold(): void;
  release(): void;
}

/**
 * A loopback graph8 that answers every call after `delayMs`: a batch call with
 * every item created (whatever was sent before, so that a chunk sent twice
 * would count its rows twice if it were counted twice), a single assert with
 * `created`. It knows which calls it has not answered yet (in flight).
 */
export async function startSlowUpstream(delayMs: number): Promise<SlowUpstream> {
  const answered = new Set<RecordedCall>();
  let gate: { opened: Promise<void>; open: () => void } | undefined;
  const upstream = await startRecordingUpstream(async (call) => {
    await sleep(delayMs);
    while (gate && call.path.endsWith('/assert/batch')) await gate.opened;
    answered.add(call);
    const body = call.body as { contacts?: unknown[]; companies?: unknown[] } | undefined;
    const items = body?.contacts ?? body?.companies;
    if (items) return { body: { data: { total: items.length, created: items.length, updated: 0, errors: [] } } };
    return { body: { data: { action: 'created', count: 1 } } };
  });
  const slow: SlowUpstream = Object.assign(upstream, {
    unanswered: () => upstream.calls.filter((call) => !answered.has(call)),
    batchCalls: () => upstream.calls.filter((call) => call.path.endsWith('/assert/batch')),
    hold() {
      if (gate) return;
      let open: () => void = () => undefined;
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { opened, open: () => open() };
    },
    release() {
      const held = gate;
      gate = undefined;
      held?.open();
    },
  });
  upstreams.add(slow);
  return slow;
}

/** The chunk a batch call carries: its x-request-id is `<importId>-<chunk>`. */
export function chunkOf(call: RecordedCall): { importId: string; chunk: number } {
  const requestId = String(call.headers['x-request-id'] ?? '');
  const match = /^(imp_.+)-(\d+)$/.exec(requestId);
  if (!match) throw new Error(`a batch call without an import's request id: ${requestId}`);
  return { importId: match[1] as string, chunk: Number(match[2]) };
}

/** The contacts a batch call carried (their work e-mails, trimmed and lower-cased). */
export function emailsOf(call: RecordedCall): string[] {
  const body = call.body as { contacts?: Array<{ work_email?: string }> };
  return (body.contacts ?? []).map((contact) => String(contact.work_email).trim().toLowerCase());
}

export interface CopyOptions {
  readonly redis: RedisServer;
  readonly upstream: SlowUpstream;
  /** Extra variables (GRAPH8_API_KEY, GATEWAY_TOKENS, IMPORT_WORKERS, ...). */
  readonly env?: Record<string, string>;
  /** A credential this copy takes (a gateway token, or in pass-through mode any key): used to wait until it is ready. */
  readonly credential: string;
}

/** One copy of the built gateway, a process of its own, on the shared Redis; resolves once its import operations answer. */
export async function startCopy({ redis, upstream, env = {}, credential }: CopyOptions): Promise<StartedGateway> {
  const copy = await startGatewayProcess({
    REDIS_URL: redis.url,
    IMPORT_SECRET,
    IMPORT_STALL_MS: String(STALL_MS),
    GRAPH8_API_URL: upstream.url,
    SHUTDOWN_GRACE_MS: '1000',
    LOG_LEVEL: 'info',
    ...env,
  });
  copies.add(copy);
  await until(
    'the copy answers imports',
    async () => {
      const answer = await graphql(copy, '{ imports(first: 1) { edges { node { id } } } }', {}, credential);
      if (answer.body.errors) throw new Error(JSON.stringify(answer.body.errors));
      return true;
    },
    10_000,
    20,
  );
  return copy;
}

export interface GraphQLAnswer {
  readonly status: number;
  readonly body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  /** How long the answer took, in milliseconds. */
  readonly ms: number;
}

/** One GraphQL operation over HTTP, with `Authorization: Bearer <credential>` when one is given. */
export async function graphql(
  copy: StartedGateway,
  query: string,
  variables: Record<string, unknown> = {},
  credential?: string,
): Promise<GraphQLAnswer> {
  const started = performance.now();
  try {
    const response = await fetch(copy.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLAnswer['body'];
    return { status: response.status, body, ms: performance.now() - started };
  } catch (error) {
    throw new Error(
      `${query.slice(0, 60)}... to ${copy.url} failed after ${Math.round(performance.now() - started)} ms: ${describe(error)}\n${lastWords(copy)}`,
      {
        cause: error,
      },
    );
  }
}

/** An error and its causes, on one line. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at instanceof Error; at = at.cause) parts.push(`${at.name}: ${at.message}`);
  return parts.join(' <- ');
}

/** Whether a copy still runs, and the last it printed. */
export function lastWords(copy: StartedGateway): string {
  const exit = copy.child.exitCode ?? copy.child.signalCode;
  return `copy ${copy.origin} ${exit === null ? 'still runs' : `exited (${exit})`}; its last lines:\n${copy.stdoutLines.slice(-15).join('\n')}\n${copy.stderr()}`;
}

/** The data of an operation that must succeed (throws with the answer otherwise). */
export async function data(
  copy: StartedGateway,
  query: string,
  variables: Record<string, unknown> = {},
  credential?: string,
): Promise<any> {
  const answer = await graphql(copy, query, variables, credential);
  if (answer.status !== 200 || answer.body.errors) {
    throw new Error(`${query.slice(0, 60)}... answered ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body.data;
}

export interface SseEvent {
  readonly event: string;
  readonly data: any;
  /** When it arrived (Date.now()). */
  readonly at: number;
}

export interface SseStream {
  readonly status: number;
  readonly contentType: string | null;
  /** Resolves with every event once the server ends the stream (or rejects after timeoutMs). */
  readonly done: Promise<SseEvent[]>;
  /** The events so far. */
  readonly events: SseEvent[];
}

/** A subscription over Server-Sent Events: POST with `Accept: text/event-stream` (GraphQL over SSE, distinct connections). */
export async function subscribe(
  copy: StartedGateway,
  query: string,
  variables: Record<string, unknown>,
  credential: string | undefined,
  timeoutMs: number,
): Promise<SseStream> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const response = await fetch(copy.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const read = async (): Promise<SseEvent[]> => {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const lines: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue; // a comment (keep-alive)
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) lines.push(line.slice(5).trimStart());
          }
          if (lines.length === 0 && event === 'message') continue;
          const text = lines.join('\n');
          events.push({ event, data: text === '' ? null : JSON.parse(text), at: Date.now() });
        }
      }
      return events;
    } catch (error) {
      if (abort.signal.aborted) {
        throw new Error(`the stream did not end within ${timeoutMs} ms; events so far: ${JSON.stringify(events)}`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  const done = read();
  // Read in the background: a stream that fails before the test awaits it is reported there, not as unhandled.
  done.catch(() => undefined);
  return { status: response.status, contentType: response.headers.get('content-type'), done, events };
}

export { until };

/** The fields every test reads of an import. */
export const IMPORT_FIELDS =
  'id state total processed created updated failed skipped deduplicated chunks chunksDone startedAt finishedAt errorReportUrl';

/** The import as its owner sees it on this copy (null when not theirs). */
export async function importOf(copy: StartedGateway, id: string, credential?: string): Promise<any> {
  const answer = await data(copy, `query($id: ID!) { import(id: $id) { ${IMPORT_FIELDS} } }`, { id }, credential);
  return answer.import;
}

/** Polls the import until it has ended; resolves with it. */
export function untilEnded(copy: StartedGateway, id: string, credential: string | undefined, timeoutMs: number) {
  return until(
    `import ${id} ended`,
    async () => {
      const record = await importOf(copy, id, credential);
      return record?.finishedAt ? record : undefined;
    },
    timeoutMs,
    200,
  );
}

/**
 * `count` contacts, every tenth one repeating (differently written) the
 * e-mail of the row five before it: `count / 10` rows fold into earlier ones.
 */
export function contactsWithDuplicates(count: number, prefix: string): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, index) =>
    index % 10 === 9
      ? { workEmail: ` ${prefix}${index - 5}@ACME.example `, jobTitle: `again ${index}` }
      : { workEmail: `${prefix}${index}@acme.example`, firstName: `First${index}` },
  );
}

/** The distinct e-mails of contactsWithDuplicates, trimmed and lower-cased. */
export function distinctEmails(contacts: ReadonlyArray<Record<string, unknown>>): Set<string> {
  return new Set(contacts.map((contact) => String(contact.workEmail).trim().toLowerCase()));
}

export const IMPORT_CONTACTS = `mutation($listId: Int!, $contacts: [ContactInput!]!) {
  importContacts(listId: $listId, contacts: $contacts) { ${IMPORT_FIELDS} }
}`;
