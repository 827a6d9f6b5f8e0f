import { type Dispatcher, Pool } from 'undici';
import { LocalBudget, type UpstreamBudget } from './budget.js';
import { UpstreamClient } from './client.js';
import { Graph8Api } from './graph8-api.js';

export interface UpstreamSettings {
  /** Base URL including `/api/v1`. */
  readonly baseUrl: string;
  /** One attempt's deadline. */
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Connections the pool keeps to the upstream's origin. */
  readonly connections: number;
  /** Longest answer read; a longer one fails its call. */
  readonly maxResponseBytes: number;
  /** Backoff jitter; tests make it 0 so that retries come at once. */
  readonly random?: () => number;
  /** Calls go here instead of a pool of our own (undici's MockAgent, in tests and benchmarks). */
  readonly dispatcher?: Dispatcher;
  /** The rate and retry budget; by default this process's own, with no rate limit. */
  readonly budget?: UpstreamBudget;
  readonly onBudgetWait?: (waitMs: number) => void;
}

export interface UpstreamConnection {
  readonly api: Graph8Api;
  /** No upstream attempt starts after `epochMs`: what a shutdown's grace leaves for operations in flight. */
  finishBy(epochMs: number): void;
  /** Closes the pool, once the calls in flight are answered. */
  close(): Promise<void>;
}

/**
 * pool -> client -> api, the one way every process (the gateway, the tests,
 * the benchmarks) reaches the upstream: a keep-alive undici Pool per origin
 * with explicit connection count, timeouts and answer size.
 */
export function connectUpstream(settings: UpstreamSettings): UpstreamConnection {
  const pool =
    settings.dispatcher ??
    new Pool(new URL(settings.baseUrl).origin, {
      connections: settings.connections,
      connectTimeout: Math.min(settings.timeoutMs, 10_000),
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      maxResponseSize: settings.maxResponseBytes,
    });
  const budget = settings.budget ?? new LocalBudget(undefined);
  const client = new UpstreamClient({
    budget,
    ...(settings.onBudgetWait ? { onBudgetWait: settings.onBudgetWait } : {}),
    baseUrl: settings.baseUrl,
    dispatcher: pool,
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    maxResponseBytes: settings.maxResponseBytes,
    ...(settings.random ? { random: settings.random } : {}),
  });
  return {
    api: new Graph8Api(client),
    finishBy: (epochMs) => client.finishBy(epochMs),
    close: async () => {
      await budget.close();
      if (!settings.dispatcher) await pool.close();
    },
  };
}
