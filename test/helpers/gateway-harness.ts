import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { pino } from 'pino';
import { type AppDependencies, createApp, type GatewayApp } from '../../src/app.js';
import type { AccessPolicy } from '../../src/auth.js';
import { createGatewayHttpServer } from '../../src/http-server.js';
import { GatewayMetrics } from '../../src/metrics.js';
import { connectUpstream } from '../../src/upstream/connect.js';

export interface HarnessOptions {
  readonly upstreamUrl: string;
  readonly access?: AccessPolicy;
  readonly maxItemsPerMutation?: number;
  readonly upstreamConcurrency?: number;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxResponseBytes?: number;
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
  /** A query written out as text: its answer is untyped. */
  execute(
    document: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<any>>;
  execute<T, V>(
    document: TypedDocumentNode<T, V> | string,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /**
   * Serves the app behind the gateway's own Node layer (http-server.ts: body
   * limit, request ids, drain) on a loopback port; closed with the harness.
   */
  listen(options?: { maxBodyBytes?: number }): Promise<{ url: string; origin: string }>;
  close(): Promise<void>;
}

/** The gateway app in-process (through `app.fetch`), calling a real loopback upstream with a real pool. */
export function createHarness(options: HarnessOptions): Harness {
  const upstream = connectUpstream({
    baseUrl: options.upstreamUrl,
    timeoutMs: options.timeoutMs ?? 2_000,
    maxAttempts: options.maxAttempts ?? 4,
    connections: 64,
    maxResponseBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
    random: options.realJitter ? Math.random : () => 0,
  });
  const app = createApp({
    api: upstream.api,
    access: options.access ?? { mode: 'pass-through' },
    limits: {
      maxItemsPerMutation: options.maxItemsPerMutation ?? 10_000,
      upstreamConcurrency: options.upstreamConcurrency ?? 4,
      mutationDeadlineMs: 60_000,
    },
    gateway: { version: 'test', upstream: options.upstream ?? 'LIVE' },
    logger: pino({ level: 'silent' }),
    corsOrigins: [],
    production: false,
    graphiql: true,
    introspection: true,
    metrics: new GatewayMetrics(),
    ...options.app,
  });
  const servers: Server[] = [];
  return {
    app,
    async execute(
      document: TypedDocumentNode<any, any> | string,
      variables?: unknown,
      headers: Record<string, string> = { authorization: 'Bearer test-key' },
    ): Promise<GraphQLResponse<any>> {
      const response = await app.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<never>, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<any>;
    },
    async listen({ maxBodyBytes = 10 * 1024 * 1024 } = {}) {
      const http = createGatewayHttpServer(app, { maxBodyBytes });
      await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
      servers.push(http.server);
      const origin = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
      return { url: `${origin}/graphql`, origin };
    },
    async close() {
      for (const server of servers.splice(0)) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      await app.dispose();
      await upstream.close();
    },
  };
}
