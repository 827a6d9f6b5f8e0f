import { randomBytes } from 'node:crypto';
import { createPubSub } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics.js';
import type { Graph8Api } from '../upstream/graph8-api.js';
import { ImportSecrets } from './import-secrets.js';
import { type ImportEvents, ImportsService, type ImportsSettings } from './imports-service.js';
import { InProcessChunkQueue } from './in-process-queue.js';
import { MemoryImportStore } from './memory-store.js';

export interface ImportsConfig extends ImportsSettings {
  /** Redis for imports; none: in this process's memory. */
  readonly redisUrl: string | undefined;
  /** Required with Redis: the same on every copy. */
  readonly secret: string | undefined;
  /** Upstream calls one copy's import workers keep in flight. */
  readonly concurrency: number;
  /** False: this copy serves the API and runs no chunks. */
  readonly workers: boolean;
  /** How soon a dead copy's chunks are taken up. */
  readonly stallMs: number;
}

export interface ImportsContext {
  readonly api: Graph8Api;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

/** The embedded default: imports in this process, lost when it ends (and not shared between copies). */
export function inProcessImports(config: ImportsConfig, context: ImportsContext): ImportsService {
  const service = new ImportsService({
    store: new MemoryImportStore(config.retentionMs),
    queue: new InProcessChunkQueue(config.concurrency, (error) =>
      context.logger.error({ err: error }, 'an import chunk failed unexpectedly; it will be tried again'),
    ),
    events: createPubSub() as ImportEvents,
    secrets: new ImportSecrets(config.secret ?? randomBytes(32).toString('base64')),
    settings: config,
    ...context,
  });
  if (config.workers) service.work();
  return service;
}

/** The engine REDIS_URL asks for: BullMQ and Redis, or this process. */
export async function importsEngine(
  redisUrl: string | undefined,
): Promise<(config: ImportsConfig, context: ImportsContext) => ImportsService> {
  if (redisUrl === undefined) return inProcessImports;
  // Loaded only with Redis: the embedded default never imports BullMQ or ioredis.
  const { connectRedisImports, redisImports } = await import('./redis-imports.js');
  const connections = await connectRedisImports(redisUrl);
  return (config, context) => redisImports(connections, config, context);
}
