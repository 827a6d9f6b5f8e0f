import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { createApp, type GatewayApp } from './app.js';
import { type AccessPolicy, gatewayKeyPolicy } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { GatewayDescription } from './context.js';
import type { ImportsService } from './imports/imports-service.js';
import { type ImportsConfig, type ImportsContext, inProcessImports } from './imports/start-imports.js';
import { GatewayMetrics } from './metrics.js';
import { connectUpstream, type UpstreamConnection } from './upstream/connect.js';

/** How the parts are made where the configuration does not say: the process, a test or a benchmark. */
export interface GatewayAssembly {
  /** The upstream's base URL (the embedded simulator's, when it runs). */
  readonly baseUrl: string;
  readonly logger: Logger;
  readonly description: GatewayDescription;
  /** Who may call with which key; by default what the configuration says. */
  readonly access?: AccessPolicy;
  /** Calls go here instead of a pool (undici's MockAgent). */
  readonly dispatcher?: Dispatcher;
  /** Backoff jitter; tests make it 0. */
  readonly random?: () => number;
  /** Makes the import engine; by default in this process (start-gateway.ts brings Redis's when REDIS_URL is set). */
  readonly makeImports?: (config: ImportsConfig, context: ImportsContext) => ImportsService;
  readonly isReady?: () => boolean;
  readonly extraPlugins?: readonly Plugin[];
}

export interface AssembledGateway {
  readonly app: GatewayApp;
  readonly metrics: GatewayMetrics;
  readonly upstream: UpstreamConnection;
  readonly imports: ImportsService;
}

export function accessPolicyOf(config: GatewayConfig): AccessPolicy {
  if (config.apiKey !== undefined) return gatewayKeyPolicy(config.apiKey, config.gatewayTokens, config.allowAnonymous);
  return config.upstream.kind === 'SIMULATOR' ? { mode: 'simulator' } : { mode: 'pass-through' };
}

/**
 * The wiring, written once: upstream (pool -> client -> api), metrics,
 * imports and the app, from a parsed configuration. The process, the test
 * harness and the benchmarks all build the gateway here; only the process
 * adds a port.
 */
export function assembleGateway(config: GatewayConfig, assembly: GatewayAssembly): AssembledGateway {
  const upstream = connectUpstream({
    baseUrl: assembly.baseUrl,
    timeoutMs: config.upstreamTimeoutMs,
    maxAttempts: config.upstreamMaxAttempts,
    connections: config.upstreamConnections,
    maxResponseBytes: config.upstreamMaxResponseBytes,
    ...(assembly.dispatcher ? { dispatcher: assembly.dispatcher } : {}),
    ...(assembly.random ? { random: assembly.random } : {}),
  });
  const metrics = new GatewayMetrics();
  const access = assembly.access ?? accessPolicyOf(config);
  const makeImports = assembly.makeImports ?? inProcessImports;
  const imports = makeImports(
    { ...config.imports, gatewayApiKey: access.mode === 'gateway-key' ? access.apiKey : undefined },
    { api: upstream.api, logger: assembly.logger, metrics },
  );
  const app = createApp({
    api: upstream.api,
    access,
    limits: {
      maxItemsPerMutation: config.maxItemsPerMutation,
      upstreamConcurrency: config.upstreamConcurrency,
      mutationDeadlineMs: config.mutationDeadlineMs,
    },
    gateway: assembly.description,
    logger: assembly.logger,
    metrics,
    imports,
    corsOrigins: config.corsOrigins,
    production: config.production,
    graphiql: config.graphiql,
    introspection: config.introspection,
    ...(assembly.isReady ? { isReady: assembly.isReady } : {}),
    ...(assembly.extraPlugins ? { extraPlugins: assembly.extraPlugins } : {}),
  });
  return { app, metrics, upstream, imports };
}
