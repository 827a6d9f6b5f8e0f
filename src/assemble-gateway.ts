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
import { LocalBudget, type UpstreamBudget } from './upstream/budget.js';
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
  /**
   * Makes the upstream rate budget, told to report whether it is shared; by
   * default this process's own (start-gateway.ts brings the shared one with REDIS_URL).
   */
  readonly makeBudget?: (onSharing: (shared: boolean) => void) => UpstreamBudget;
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
  const metrics = new GatewayMetrics();
  metrics.setBudgetShared(false);
  const onSharing = (shared: boolean) => {
    metrics.setBudgetShared(shared);
    if (shared) assembly.logger.info('the upstream rate budget is shared through Redis');
    else assembly.logger.warn('Redis cannot be reached: this copy keeps its own upstream rate budget until it is back');
  };
  const upstream = connectUpstream({
    budget: assembly.makeBudget?.(onSharing) ?? new LocalBudget(config.rateLimit),
    onBudgetWait: (waitMs) => metrics.recordBudgetWait(waitMs),
    baseUrl: assembly.baseUrl,
    timeoutMs: config.upstreamTimeoutMs,
    maxAttempts: config.upstreamMaxAttempts,
    connections: config.upstreamConnections,
    maxResponseBytes: config.upstreamMaxResponseBytes,
    ...(assembly.dispatcher ? { dispatcher: assembly.dispatcher } : {}),
    ...(assembly.random ? { random: assembly.random } : {}),
  });
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
