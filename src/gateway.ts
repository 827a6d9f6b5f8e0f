import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp, type GatewayApp, GRAPHQL_ENDPOINT } from './app.js';
import { type AccessPolicy, gatewayKeyPolicy } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createGatewayHttpServer } from './http-server.js';
import { GatewayMetrics } from './metrics.js';
import { type RunningSimulator, startSimulator } from './simulator/server.js';
import { UpstreamClient } from './upstream/client.js';
import { Graph8Api } from './upstream/graph8-api.js';
import { createUpstreamPool } from './upstream/pool.js';

/** From src/ and from the built dist/ alike, the package manifest is one folder up. */
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

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

/** Starts everything the configuration asks for: the embedded simulator if need be, the pool, the app, the port. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  let simulator: RunningSimulator | undefined;
  if (config.upstream.kind === 'SIMULATOR') {
    simulator = await startSimulator({ faults: config.upstream.faults });
    logger.info(
      { simulatorUrl: simulator.url, faults: config.upstream.faults },
      `No GRAPH8_API_URL or GRAPH8_API_KEY set: writing to the built-in simulator at ${simulator.url}`,
    );
  }
  const baseUrl = simulator ? simulator.url : config.upstream.kind === 'LIVE' ? config.upstream.baseUrl : '';
  const pool = createUpstreamPool(baseUrl, config.upstreamTimeoutMs);
  const client = new UpstreamClient({
    baseUrl,
    dispatcher: pool,
    timeoutMs: config.upstreamTimeoutMs,
    maxAttempts: config.upstreamMaxAttempts,
  });
  let ready = true;
  const metrics = new GatewayMetrics();
  const app = createApp({
    api: new Graph8Api(client),
    access: accessPolicy(config),
    limits: { maxItemsPerMutation: config.maxItemsPerMutation, upstreamConcurrency: config.upstreamConcurrency },
    gateway: { version, upstream: config.upstream.kind },
    logger,
    corsOrigins: config.corsOrigins,
    production: config.production,
    isReady: () => ready,
    metrics,
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
        const drained = await http.drain(config.shutdownGraceMs);
        http.server.closeAllConnections();
        await app.dispose();
        await pool.close();
        await simulator?.close();
        return { drained };
      })();
      return shuttingDown;
    },
  };
}
