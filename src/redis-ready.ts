import type { Redis } from 'ioredis';

/**
 * Resolves once `connection` is ready, or after `waitMs` while it goes on
 * connecting: a start waits for Redis so that its first calls do not fail,
 * but does not hang on a Redis that is down.
 */
export function readyOrAfter(connection: Redis, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
