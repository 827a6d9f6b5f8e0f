import type DataLoader from 'dataloader';
import type { DealAssertResult, LinkAssertResult } from '../upstream/graph8-api.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import type { WireFields } from '../upstream/wire.js';
import { type BatchItemError, callFailure, sortErrors } from './accounting.js';
import { foldDuplicates } from './fold.js';
import { dealMatchKeys } from './match-key.js';
import { isFatal, type LinkKey } from './request-loaders.js';

/**
 * Deals and links in bulk, where graph8 has no batch endpoint: each distinct
 * one goes through the request's loader (one call each), and every input is
 * answered and counted, a repeat sharing the fate of the input it repeats.
 */

export interface BatchDealResult {
  readonly total: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly deduplicated: number;
  /** One per input, in input order; null where it failed. */
  readonly results: ReadonlyArray<DealAssertResult | null>;
  readonly errors: readonly BatchItemError[];
}

export interface BatchLinkResult {
  readonly total: number;
  readonly created: number;
  readonly exists: number;
  readonly failed: number;
  readonly deduplicated: number;
  readonly errors: readonly BatchItemError[];
}

/** The answer, or the upstream failure as a value; anything else is unexpected and rejects. */
function settled<T>(promise: Promise<T>): Promise<T | UpstreamError> {
  return promise.catch((error: unknown) => {
    if (error instanceof UpstreamError) return error;
    throw error;
  });
}

/** 401 or 403 anywhere fails the whole mutation, as it does for batches. */
function throwIfFatal(outcomes: ReadonlyArray<unknown>): void {
  const fatal = outcomes.find(isFatal);
  if (fatal) throw fatal;
}

/** Folds the deals by match key (name trimmed, any case, with companyId; later fields win) and sends each once. */
export async function assertDealList(
  loader: DataLoader<WireFields, DealAssertResult, string>,
  deals: readonly WireFields[],
): Promise<BatchDealResult> {
  const { items, deduplicated } = foldDuplicates(deals, dealMatchKeys);
  const outcomes = await Promise.all(items.map((item) => settled(loader.load(item.fields))));
  throwIfFatal(outcomes);
  const results: Array<DealAssertResult | null> = new Array(deals.length).fill(null);
  const errors: BatchItemError[] = [];
  let created = 0;
  let updated = 0;
  items.forEach((item, position) => {
    const outcome = outcomes[position] as DealAssertResult | UpstreamError;
    for (const index of item.inputIndexes) {
      if (outcome instanceof UpstreamError) errors.push(callFailure(index, outcome));
      else {
        results[index] = outcome;
        if (outcome.action === 'created') created++;
        else updated++;
      }
    }
  });
  return {
    total: deals.length,
    created,
    updated,
    failed: errors.length,
    deduplicated,
    results,
    errors: sortErrors(errors),
  };
}

/** Links each distinct contact id to the deal once; a repeated id gets the first one's answer. */
export async function linkContactList(
  loader: DataLoader<LinkKey, LinkAssertResult, string>,
  dealId: string,
  contactIds: readonly string[],
): Promise<BatchLinkResult> {
  const distinct = [...new Set(contactIds)];
  const outcomes = await Promise.all(distinct.map((contactId) => settled(loader.load({ contactId, dealId }))));
  throwIfFatal(outcomes);
  const outcomeOf = new Map(distinct.map((contactId, position) => [contactId, outcomes[position]]));
  const errors: BatchItemError[] = [];
  let created = 0;
  let exists = 0;
  contactIds.forEach((contactId, index) => {
    const outcome = outcomeOf.get(contactId) as LinkAssertResult | UpstreamError;
    if (outcome instanceof UpstreamError) errors.push(callFailure(index, outcome));
    else if (outcome.action === 'created') created++;
    else exists++;
  });
  return {
    total: contactIds.length,
    created,
    exists,
    failed: errors.length,
    deduplicated: contactIds.length - distinct.length,
    errors: sortErrors(errors),
  };
}
