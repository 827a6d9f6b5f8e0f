import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis, type RedisOptions } from 'ioredis';
import { readyOrAfter } from '../redis-ready.js';
import { BullChunkQueue } from './bullmq-queue.js';
import { ImportSecrets } from './import-secrets.js';
import { type ImportEvents, ImportsService } from './imports-service.js';
import { RedisImportStore } from './redis-store.js';
import type { ImportsConfig, ImportsContext } from './start-imports.js';

/** How long a store call may take before the import answers SERVICE_UNAVAILABLE. */
const STORE_COMMAND_TIMEOUT_MS = 2_000;
/** How long a start waits for Redis before serving (imports answer SERVICE_UNAVAILABLE until it is there). */
const CONNECT_WAIT_MS = 2_000;

interface RedisConnections {
  readonly redisUrl: string;
  /** Fail fast (no offline queue, a command timeout): the store, and BullMQ's producer. */
  readonly store: Redis;
  readonly producer: Redis;
  /** redis-event-target leaves its publish and unsubscribe promises unhandled: these wait out an outage rather than reject. */
  readonly publisher: Redis;
  readonly subscriber: Redis;
}

/** Opens the connections imports use and waits for the fail-fast ones, so that a fresh copy does not refuse its first imports. */
export async function connectRedisImports(redisUrl: string): Promise<RedisConnections> {
  const connect = (options: RedisOptions) => new Redis(redisUrl, options);
  const failFast = { enableOfflineQueue: false, commandTimeout: STORE_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 };
  const connections = {
    redisUrl,
    store: connect(failFast),
    producer: connect(failFast),
    publisher: connect({ maxRetriesPerRequest: null }),
    subscriber: connect({ maxRetriesPerRequest: null }),
  };
  await Promise.all([
    readyOrAfter(connections.store, CONNECT_WAIT_MS),
    readyOrAfter(connections.producer, CONNECT_WAIT_MS),
  ]);
  return connections;
}

/**
 * Imports on Redis: the store (its own connection, failing fast when Redis is
 * down), BullMQ for the chunks, and progress notices through
 * @graphql-yoga/redis-event-target so that any copy serves any import's progress.
 */
export function redisImports(
  connections: RedisConnections,
  config: ImportsConfig,
  context: ImportsContext,
): ImportsService {
  if (config.secret === undefined) throw new Error('IMPORT_SECRET is required with REDIS_URL');
  const { store, producer, publisher, subscriber } = connections;
  const all = [store, producer, publisher, subscriber];
  for (const connection of all) {
    // ioredis reconnects on its own; the gateway keeps serving meanwhile.
    connection.on('error', (error: Error) => context.logger.debug({ err: error }, 'Redis connection error'));
  }
  const onFailure = (error: unknown) =>
    context.logger.warn({ err: error }, 'an import chunk failed; it will be tried again');
  const service = new ImportsService({
    store: new RedisImportStore(store, config.retentionMs),
    queue: new BullChunkQueue({
      producer,
      workerConnection: () => new Redis(connections.redisUrl, { maxRetriesPerRequest: null }),
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
      for (const connection of all) connection.disconnect();
    },
    ...context,
  });
  if (config.workers) service.work();
  return service;
}
