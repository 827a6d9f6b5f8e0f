import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { GatewayApp } from '../../src/app.js';
import { assembleGateway } from '../../src/assemble-gateway.js';
import type { AccessPolicy } from '../../src/auth.js';
import { parseConfig } from '../../src/config.js';
import { createGatewayHttpServer } from '../../src/http-server.js';
import { type RecordingUpstream, startRecordingUpstream } from './recording-upstream.js';

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
  /** More of the configuration, as environment variables (IMPORT_CONCURRENCY, MAX_ROWS_PER_IMPORT, ...). */
  readonly env?: Record<string, string>;
  readonly app?: { readonly logger?: Logger; readonly extraPlugins?: readonly Plugin[] };
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
  const parsed = parseConfig({
    GRAPH8_API_URL: options.upstreamUrl,
    UPSTREAM_CONCURRENCY: String(options.upstreamConcurrency ?? 4),
    MAX_ITEMS_PER_MUTATION: String(options.maxItemsPerMutation ?? 10_000),
    UPSTREAM_TIMEOUT_MS: String(options.timeoutMs ?? 2_000),
    UPSTREAM_MAX_ATTEMPTS: String(options.maxAttempts ?? 4),
    UPSTREAM_MAX_RESPONSE_BYTES: String(options.maxResponseBytes ?? 4 * 1024 * 1024),
    ...options.env,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const { app, upstream, imports } = assembleGateway(parsed.config, {
    baseUrl: options.upstreamUrl,
    logger: options.app?.logger ?? pino({ level: 'silent' }),
    description: { version: 'test', upstream: options.upstream ?? 'LIVE' },
    access: options.access ?? { mode: 'pass-through' },
    random: options.realJitter ? Math.random : () => 0,
    ...(options.app?.extraPlugins ? { extraPlugins: options.app.extraPlugins } : {}),
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
      const http = createGatewayHttpServer(app, { maxBodyBytes, maxUploadBytes: parsed.config.imports.maxUploadBytes });
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
      await imports.stopWorking(1_000);
      await app.dispose();
      await imports.close();
      await upstream.close();
    },
  };
}

export interface HarnessFixture {
  readonly upstream: RecordingUpstream;
  readonly gateway: Harness;
}

/**
 * One recording upstream and a harness in front of it for a whole test file:
 * started before its tests, the upstream's calls cleared before each, both
 * closed after. Read them inside the tests.
 */
export function harnessWithUpstream(options: Omit<HarnessOptions, 'upstreamUrl'> = {}): HarnessFixture {
  let started: HarnessFixture | undefined;
  beforeAll(async () => {
    const upstream = await startRecordingUpstream();
    started = { upstream, gateway: createHarness({ ...options, upstreamUrl: upstream.url }) };
  });
  beforeEach(() => {
    if (started) started.upstream.calls.length = 0;
  });
  afterAll(async () => {
    await started?.gateway.close();
    await started?.upstream.close();
  });
  const get = () => {
    if (!started) throw new Error('harnessWithUpstream: read inside a test, once beforeAll has run');
    return started;
  };
  return {
    get upstream() {
      return get().upstream;
    },
    get gateway() {
      return get().gateway;
    },
  };
}
