import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis, type RedisOptions } from 'ioredis';
import { BullChunkQueue } from './bullmq-queue.js';
import { ImportSecrets } from './import-secrets.js';
import { type ImportEvents, ImportsService } from './imports-service.js';
import { RedisImportStore } from './redis-store.js';
import type { ImportsConfig, ImportsContext } from './start-imports.js';

/** How long a store call may take before the import answers SERVICE_UNAVAILABLE. */
const STORE_COMMAND_TIMEOUT_MS = 2_000;

/**
 * Imports on Redis: the store (its own connection, failing fast when Redis is
 * down), BullMQ for the chunks, and progress notices through
 * @graphql-yoga/redis-event-target so that any copy serves any import's progress.
 */
export function redisImports(config: ImportsConfig & { redisUrl: string }, context: ImportsContext): ImportsService {
  if (config.secret === undefined) throw new Error('IMPORT_SECRET is required with REDIS_URL');
  const connect = (options: RedisOptions) => new Redis(config.redisUrl, options);
  const failFast = { enableOfflineQueue: false, commandTimeout: STORE_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 };
  const storeConnection = connect(failFast);
  const producer = connect(failFast);
  const publisher = connect({ maxRetriesPerRequest: 1 });
  const subscriber = connect({});
  const connections = [storeConnection, producer, publisher, subscriber];
  for (const connection of connections) {
    // ioredis reconnects on its own; the gateway says so in its log, once per drop, and keeps serving.
    connection.on('error', (error: Error) => context.logger.debug({ err: error }, 'Redis connection error'));
  }
  const onFailure = (error: unknown) =>
    context.logger.warn({ err: error }, 'an import chunk failed; it will be tried again');
  const service = new ImportsService({
    store: new RedisImportStore(storeConnection, config.retentionMs),
    queue: new BullChunkQueue({
      producer,
      workerConnection: () => connect({ maxRetriesPerRequest: null }),
      concurrency: config.concurrency,
      stallMs: config.stallMs,
      onFailure,
    }),
    events: createPubSub({
      eventTarget: createRedisEventTarget({ publishClient: publisher, subscribeClient: subscriber }),
    }) as ImportEvents,
    secrets: new ImportSecrets(config.secret),
    settings: config,
    onClose: async () => {
      for (const connection of connections) connection.disconnect();
    },
    ...context,
  });
  if (config.workers) service.work();
  return service;
}
