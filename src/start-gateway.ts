import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type GatewayApp, GRAPHQL_ENDPOINT } from './app.js';
import { assembleGateway } from './assemble-gateway.js';
import type { GatewayConfig } from './config.js';
import { createGatewayHttpServer } from './http-server.js';
import { importsEngine } from './imports/start-imports.js';
import type { RunningSimulator } from './simulator/server.js';
import { sharedBudgetMaker } from './upstream/shared-budget.js';

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

/** The process's wiring: the embedded simulator if need be, the gateway's parts, the port. */
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
  if (config.imports.redisUrl === undefined) {
    logger.info(
      "No REDIS_URL set: imports run in this process's memory (lost when it ends, not shared between copies)",
    );
  }
  let ready = true;
  const { app, metrics, upstream, imports } = assembleGateway(config, {
    baseUrl: simulator ? simulator.url : config.upstream.kind === 'LIVE' ? config.upstream.baseUrl : '',
    logger,
    description: { version: GATEWAY_VERSION, upstream: config.upstream.kind },
    makeImports: await importsEngine(config.imports.redisUrl),
    ...(config.imports.redisUrl === undefined
      ? {}
      : { makeBudget: await sharedBudgetMaker(config.imports.redisUrl, config.rateLimit) }),
    isReady: () => ready,
  });
  const http = createGatewayHttpServer(app, {
    maxBodyBytes: config.maxBodyBytes,
    maxUploadBytes: config.imports.maxUploadBytes,
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
        const [drained] = await Promise.all([
          http.drain(config.shutdownGraceMs),
          imports.stopWorking(config.shutdownGraceMs),
        ]);
        http.server.closeAllConnections();
        await app.dispose();
        await imports.close();
        await upstream.close();
        await simulator?.close();
        return { drained };
      })();
      return shuttingDown;
    },
  };
}
