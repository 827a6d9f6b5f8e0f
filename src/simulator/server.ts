import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { NO_FAULTS, type SimulatorFaults } from './faults.js';
import { type AssertOutcome, SimulatorStore, type StoredFields } from './store.js';

export const SIMULATOR_BASE_PATH = '/api/v1';
export const SIMULATOR_BATCH_LIMIT = 100;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Advertised when no SIMULATOR_RATE_LIMIT is set: high enough never to run out. */
const UNLIMITED_PER_SECOND = 100_000;

export interface SimulatorOptions {
  readonly host?: string;
  readonly port?: number;
  readonly faults?: SimulatorFaults;
  readonly store?: SimulatorStore;
  /** Randomness for the error rate; a test may make it predictable. */
  readonly random?: () => number;
}

export interface RunningSimulator {
  /** Base URL including /api/v1, as GRAPH8_API_URL takes it. */
  readonly url: string;
  readonly port: number;
  readonly store: SimulatorStore;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** The connection is dropped instead of answered. */
const RESET = Symbol('reset');

type Route = (body: Record<string, unknown>, pathParams: string[]) => Answer;

const ok = (data: unknown): Answer => ({ status: 200, body: { data } });

/** FastAPI's 422 shape, the one the upstream uses for malformed bodies. */
const unprocessable = (field: string, msg: string, type = 'value_error'): Answer => ({
  status: 422,
  body: { detail: [{ loc: ['body', field], msg, type }] },
});

function contactsOrCompanies(store: SimulatorStore, kind: 'contacts' | 'companies') {
  const table = kind === 'contacts' ? store.contacts : store.companies;
  const single: Route = (body) => {
    if (!Number.isInteger(body.list_id)) return unprocessable('list_id', 'list_id must be an integer');
    const outcome = table.assert(withoutListId(body));
    if ('error' in outcome) return unprocessable(outcome.field, outcome.error, 'value_error.missing');
    return ok({ action: outcome.action, count: 1 });
  };
  const batch: Route = (body) => {
    if (!Number.isInteger(body.list_id)) return unprocessable('list_id', 'list_id must be an integer');
    const items = body[kind];
    if (!Array.isArray(items)) return unprocessable(kind, `${kind} must be a list`);
    if (items.length > SIMULATOR_BATCH_LIMIT) {
      return unprocessable(
        kind,
        `a batch carries at most ${SIMULATOR_BATCH_LIMIT} items`,
        'value_error.list.max_items',
      );
    }
    let created = 0;
    let updated = 0;
    const errors: Array<{ index: number; message: string; field?: string }> = [];
    items.forEach((item: unknown, index) => {
      const outcome: AssertOutcome =
        typeof item === 'object' && item !== null && !Array.isArray(item)
          ? table.assert(withoutListId(item as StoredFields))
          : { error: 'item must be an object', field: kind };
      if ('error' in outcome) errors.push({ index, message: outcome.error, field: outcome.field });
      else if (outcome.action === 'created') created++;
      else updated++;
    });
    return ok({ total: items.length, created, updated, errors });
  };
  return { single, batch };
}

function withoutListId(fields: StoredFields): StoredFields {
  const { list_id: _listId, ...rest } = fields;
  return rest;
}

function routesFor(store: SimulatorStore): Array<{ pattern: RegExp; route: Route }> {
  const contacts = contactsOrCompanies(store, 'contacts');
  const companies = contactsOrCompanies(store, 'companies');
  const assertDeal: Route = (body) => {
    if (typeof body.name !== 'string' || body.name.trim() === '') {
      return unprocessable('name', 'name is required', 'value_error.missing');
    }
    const { action, dealId } = store.assertDeal(body as StoredFields & { name: string });
    return ok({ action, deal_id: dealId });
  };
  const assertLink: Route = (body, [contactId = '']) => {
    if (typeof body.deal_id !== 'string' || body.deal_id === '') {
      return unprocessable('deal_id', 'deal_id is required', 'value_error.missing');
    }
    const action = store.assertLink(contactId, body.deal_id);
    if (action === undefined) return { status: 404, body: { detail: `Deal ${body.deal_id} not found` } };
    const shownContactId = /^\d+$/.test(contactId) ? Number(contactId) : contactId;
    return ok({ action, deal_id: body.deal_id, contact_id: shownContactId });
  };
  return [
    { pattern: /^\/contacts\/assert$/, route: contacts.single },
    { pattern: /^\/contacts\/assert\/batch$/, route: contacts.batch },
    { pattern: /^\/companies\/assert$/, route: companies.single },
    { pattern: /^\/companies\/assert\/batch$/, route: companies.batch },
    { pattern: /^\/deals\/assert$/, route: assertDeal },
    { pattern: /^\/contacts\/([^/]+)\/deals\/assert$/, route: assertLink },
  ];
}

/** Fixed one-second windows per key, as the upstream's X-RateLimit-* headers describe. */
class RateWindows {
  private readonly windows = new Map<string, { second: number; used: number }>();
  constructor(private readonly perSecond: number) {}

  take(key: string, nowMs: number): { allowed: boolean; headers: Record<string, string> } {
    const limit = this.perSecond > 0 ? this.perSecond : UNLIMITED_PER_SECOND;
    const second = Math.floor(nowMs / 1000);
    let window = this.windows.get(key);
    if (!window || window.second !== second) {
      window = { second, used: 0 };
      this.windows.set(key, window);
    }
    const allowed = this.perSecond === 0 || window.used < limit;
    if (allowed && this.perSecond > 0) window.used++;
    const headers: Record<string, string> = {
      'x-ratelimit-limit-second': String(limit),
      'x-ratelimit-limit-minute': String(limit * 60),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.used)),
      'x-ratelimit-reset': String(second + 1),
    };
    if (!allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(((second + 1) * 1000 - nowMs) / 1000)));
    return { allowed, headers };
  }
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function bearerKey(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** Serves the upstream's six assert routes from memory, with the faults asked for. */
export function createSimulatorHandler(options: SimulatorOptions & { store: SimulatorStore }) {
  const faults = options.faults ?? NO_FAULTS;
  const random = options.random ?? Math.random;
  const routes = routesFor(options.store);
  const rateWindows = new RateWindows(faults.rateLimitPerSecond);

  async function answer(request: IncomingMessage, headers: Record<string, string>): Promise<Answer | typeof RESET> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const path = url.pathname.startsWith(SIMULATOR_BASE_PATH)
      ? url.pathname.slice(SIMULATOR_BASE_PATH.length)
      : undefined;
    const matched = path === undefined ? undefined : matchRoute(routes, path);
    const rawBody = await readBody(request);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (faults.spikeRate && faults.spikeMs && random() < faults.spikeRate) await sleep(faults.spikeMs);
    if (!matched) return { status: 404, body: { detail: 'Not Found' } };
    if (request.method !== 'PUT') return { status: 405, body: { detail: 'Method Not Allowed' } };
    const key = bearerKey(request);
    if (key === undefined) {
      return {
        status: 401,
        body: {
          error: { code: 'unauthorized', message: 'Missing or invalid API key', request_id: headers['x-request-id'] },
        },
      };
    }
    const rate = rateWindows.take(key, Date.now());
    Object.assign(headers, rate.headers);
    if (!rate.allowed) return { status: 429, body: { detail: 'Rate limit exceeded. Please slow down.' } };
    if (faults.errorRate > 0 && random() < faults.errorRate) {
      return { status: 503, body: { detail: 'Service temporarily unavailable' } };
    }
    if (rawBody === undefined) return { status: 413, body: { detail: 'Request body too large' } };
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return { status: 422, body: { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] } };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return unprocessable('body', 'the body must be a JSON object', 'type_error.dict');
    }
    // One roll: below half the reset rate the call is dropped unwritten, below the rate written and then dropped.
    const resetRoll = faults.resetRate ? random() : 1;
    if (resetRoll < (faults.resetRate ?? 0) / 2) return RESET;
    const result = matched.route(body as Record<string, unknown>, matched.params);
    if (resetRoll < (faults.resetRate ?? 0)) return RESET;
    return result;
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-request-id': `sim-${randomUUID()}`,
    };
    answer(request, headers).then(
      (result) => {
        if (result === RESET) {
          request.socket.destroy();
          return;
        }
        response.writeHead(result.status, { ...headers, ...result.headers });
        response.end(JSON.stringify(result.body));
      },
      () => {
        response.writeHead(500, headers);
        response.end(JSON.stringify({ detail: 'Internal Server Error' }));
      },
    );
  };
}

function matchRoute(
  routes: ReturnType<typeof routesFor>,
  path: string,
): { route: Route; params: string[] } | undefined {
  for (const { pattern, route } of routes) {
    const match = pattern.exec(path);
    if (match) {
      try {
        return { route, params: match.slice(1).map((segment) => decodeURIComponent(segment)) };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Starts the simulator on a port (0 picks a free one); resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const store = options.store ?? new SimulatorStore();
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, createSimulatorHandler({ ...options, store }));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${SIMULATOR_BASE_PATH}`,
    port,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
