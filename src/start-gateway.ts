import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp, type GatewayApp, GRAPHQL_ENDPOINT } from './app.js';
import { type AccessPolicy, gatewayKeyPolicy } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createGatewayHttpServer } from './http-server.js';
import { GatewayMetrics } from './metrics.js';
import type { RunningSimulator } from './simulator/server.js';
import { connectUpstream } from './upstream/connect.js';

/** From src/ and from the built dist/ alike, the package manifest is one folder up. */
export const { version: GATEWAY_VERSION } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** Operations in flight when a shutdown begins stop starting upstream calls this long before the grace ends, to answer in time. */
const ANSWER_MARGIN_MS = 1_000;

export interface RunningGateway {
  readonly url: string;
  readonly app: GatewayApp;
  readonly simulator: RunningSimulator | undefined;
  /** Idempotent: stop taking requests, let those in flight finish within the grace period, close everything. */
  shutdown(): Promise<{ drained: boolean }>;
}

function accessPolicy(config: GatewayConfig): AccessPolicy {
  if (config.apiKey !== undefined) return gatewayKeyPolicy(config.apiKey, config.gatewayTokens, config.allowAnonymous);
  return config.upstream.kind === 'SIMULATOR' ? { mode: 'simulator' } : { mode: 'pass-through' };
}

/** The process's wiring: the embedded simulator if need be, the upstream, the app, the port. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  let simulator: RunningSimulator | undefined;
  if (config.upstream.kind === 'SIMULATOR') {
    // Loaded only for the embedded default: a gateway with a real upstream never imports the simulator.
    const { startSimulator } = await import('./simulator/server.js');
    simulator = await startSimulator({ faults: config.upstream.faults });
    logger.info(
      { simulatorUrl: simulator.url, faults: config.upstream.faults },
      `No GRAPH8_API_URL or GRAPH8_API_KEY set: writing to the built-in simulator at ${simulator.url}`,
    );
  }
  const baseUrl = simulator ? simulator.url : config.upstream.kind === 'LIVE' ? config.upstream.baseUrl : '';
  const upstream = connectUpstream({
    baseUrl,
    timeoutMs: config.upstreamTimeoutMs,
    maxAttempts: config.upstreamMaxAttempts,
    connections: config.upstreamConnections,
    maxResponseBytes: config.upstreamMaxResponseBytes,
  });
  let ready = true;
  const metrics = new GatewayMetrics();
  const app = createApp({
    api: upstream.api,
    access: accessPolicy(config),
    limits: {
      maxItemsPerMutation: config.maxItemsPerMutation,
      upstreamConcurrency: config.upstreamConcurrency,
      mutationDeadlineMs: config.mutationDeadlineMs,
    },
    gateway: { version: GATEWAY_VERSION, upstream: config.upstream.kind },
    logger,
    metrics,
    corsOrigins: config.corsOrigins,
    production: config.production,
    graphiql: config.graphiql,
    introspection: config.introspection,
    isReady: () => ready,
  });
  const http = createGatewayHttpServer(app, {
    maxBodyBytes: config.maxBodyBytes,
    onAnswered: (method, status, seconds) => metrics.recordHttpRequest(method, status, seconds),
  });
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(config.port, config.host, () => resolve());
  });
  const { port } = http.server.address() as AddressInfo;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}${GRAPHQL_ENDPOINT}`;
  logger.info({ url, upstream: config.upstream.kind }, `graph8 gateway serving GraphiQL and GraphQL at ${url}`);
  let shuttingDown: Promise<{ drained: boolean }> | undefined;
  return {
    url,
    app,
    simulator,
    shutdown() {
      shuttingDown ??= (async () => {
        ready = false;
        upstream.finishBy(Date.now() + Math.max(0, config.shutdownGraceMs - ANSWER_MARGIN_MS));
        const drained = await http.drain(config.shutdownGraceMs);
        http.server.closeAllConnections();
        await app.dispose();
        await upstream.close();
        await simulator?.close();
        return { drained };
      })();
      return shuttingDown;
    },
  };
}
