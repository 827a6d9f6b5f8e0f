import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { pino } from 'pino';
import { type AppDependencies, createApp, type GatewayApp } from '../../src/app.js';
import type { AccessPolicy } from '../../src/auth.js';
import { GatewayMetrics } from '../../src/metrics.js';
import { UpstreamClient } from '../../src/upstream/client.js';
import { Graph8Api } from '../../src/upstream/graph8-api.js';
import { createUpstreamPool } from '../../src/upstream/pool.js';

export interface HarnessOptions {
  readonly upstreamUrl: string;
  readonly access?: AccessPolicy;
  readonly maxItemsPerMutation?: number;
  readonly upstreamConcurrency?: number;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly upstream?: 'LIVE' | 'SIMULATOR';
  /** Random backoff jitter as in production; by default none, so that retries come at once. */
  readonly realJitter?: boolean;
  readonly app?: Partial<AppDependencies>;
}

export interface GraphQLResponse<T> {
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, any> }>;
}

export interface Harness {
  readonly app: GatewayApp;
  execute<T, V>(
    document: TypedDocumentNode<T, V> | string,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** The gateway app in-process (through `app.fetch`), calling a real loopback upstream with a real pool. */
export function createHarness(options: HarnessOptions): Harness {
  const pool = createUpstreamPool(options.upstreamUrl, options.timeoutMs ?? 2_000);
  const client = new UpstreamClient({
    baseUrl: options.upstreamUrl,
    dispatcher: pool,
    timeoutMs: options.timeoutMs ?? 2_000,
    maxAttempts: options.maxAttempts ?? 4,
    random: options.realJitter ? Math.random : () => 0,
  });
  const app = createApp({
    api: new Graph8Api(client),
    access: options.access ?? { mode: 'pass-through' },
    limits: {
      maxItemsPerMutation: options.maxItemsPerMutation ?? 10_000,
      upstreamConcurrency: options.upstreamConcurrency ?? 4,
    },
    gateway: { version: 'test', upstream: options.upstream ?? 'LIVE' },
    logger: pino({ level: 'silent' }),
    corsOrigins: [],
    production: false,
    metrics: new GatewayMetrics(),
    ...options.app,
  });
  return {
    app,
    async execute(document, variables, headers = { authorization: 'Bearer test-key' }) {
      const response = await app.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<never>, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<any>;
    },
    async close() {
      await app.dispose();
      await pool.close();
    },
  };
}
