import DataLoader from 'dataloader';
import pLimit from 'p-limit';
import type { UpstreamCallOptions } from '../upstream/client.js';
import type { DealAssertResult, Graph8Api, LinkAssertResult } from '../upstream/graph8-api.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import type { WireFields } from '../upstream/wire.js';

export interface LinkKey {
  readonly contactId: string;
  readonly dealId: string;
}

/**
 * The deal and link loaders of one HTTP request and one caller. graph8 has no
 * batch endpoint for either, so each distinct deal (by its exact fields) and
 * each distinct link is one call, sent once per request however many fields or
 * batched operations ask for it; every asker gets the same answer.
 */
export interface RequestLoaders {
  readonly deals: DataLoader<WireFields, DealAssertResult, string>;
  readonly links: DataLoader<LinkKey, LinkAssertResult, string>;
}

/** Failures that no other call could fare better with: the calls not yet sent are not sent. */
export function isFatal(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN');
}

/** Same fields, same key, whatever the order they were given in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/**
 * Loaders whose calls share one bound of `concurrency` in flight for the whole
 * request (DataLoader's maxBatchSize splits batches but would start them all
 * at once). Each key settles on its own: a failed call is an Error for that
 * key only, and after a 401 or 403 the keys not yet sent fail with it unsent.
 */
export function createRequestLoaders(api: Graph8Api, call: UpstreamCallOptions, concurrency: number): RequestLoaders {
  const limit = pLimit(concurrency);
  let fatal: UpstreamError | undefined;
  const settleEach = <Key, Value>(keys: readonly Key[], send: (key: Key) => Promise<Value>) =>
    Promise.all(
      keys.map((key) =>
        limit(async () => {
          if (fatal) throw fatal;
          try {
            return await send(key);
          } catch (error) {
            // Noted before the next call is let through.
            if (isFatal(error)) fatal ??= error;
            throw error;
          }
        }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      ),
    );
  return {
    deals: new DataLoader<WireFields, DealAssertResult, string>(
      (keys) => settleEach(keys, (fields) => api.assertDeal(fields, call)),
      { cacheKeyFn: canonicalJson },
    ),
    links: new DataLoader<LinkKey, LinkAssertResult, string>(
      (keys) => settleEach(keys, (link) => api.linkContactToDeal(link.contactId, link.dealId, call)),
      { cacheKeyFn: (link) => `${link.contactId}\u0000${link.dealId}` },
    ),
  };
}
