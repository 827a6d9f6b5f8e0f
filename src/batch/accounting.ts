import type { RecordBatchResult } from '../upstream/graph8-api.js';
import type { UpstreamError, UpstreamErrorCode } from '../upstream/upstream-error.js';
import type { PlannedChunk } from './plan-chunks.js';

/** Why one item was not written, each with its description (the GraphQL enum BatchErrorCode is made from this). */
export const BATCH_ERROR_CODES = {
  REJECTED: 'The upstream refused this item.',
  UPSTREAM_UNAVAILABLE: 'The upstream call carrying this item failed after every retry.',
  RATE_LIMITED: 'The upstream kept answering 429 past the retry budget.',
  TIMEOUT: 'The upstream call carrying this item did not answer in time.',
  NOT_SENT: "Never sent: the upstream refused the key (401/403) before this item's call.",
} as const;

export type BatchErrorCode = keyof typeof BATCH_ERROR_CODES;

export interface BatchItemError {
  /** Position in the mutation's input list; -1 when the upstream named no usable position. */
  readonly index: number;
  readonly code: BatchErrorCode;
  readonly message: string;
  readonly detail?: Record<string, unknown>;
}

export interface BatchTally {
  created: number;
  updated: number;
  failed: number;
  readonly errors: BatchItemError[];
}

export function emptyTally(): BatchTally {
  return { created: 0, updated: 0, failed: 0, errors: [] };
}

const CODE_FOR_CALL_FAILURE: Record<UpstreamErrorCode, Exclude<BatchErrorCode, 'NOT_SENT'>> = {
  UNAUTHENTICATED: 'REJECTED',
  FORBIDDEN: 'REJECTED',
  NOT_FOUND: 'REJECTED',
  UPSTREAM_REJECTED: 'REJECTED',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'TIMEOUT',
};

/**
 * Adds one answered batch call to the tally. The upstream names failed items by
 * their position in the call; a folded input item shares the fate of the item
 * it was folded into, counting as updated when that one was written.
 */
export function tallyAnsweredChunk(tally: BatchTally, chunk: PlannedChunk, answer: RecordBatchResult): void {
  const failedPositions = new Set<number>();
  const unplaced: Array<Record<string, unknown>> = [];
  for (const item of answer.errors) {
    const position = item.index;
    const usable =
      typeof position === 'number' && Number.isInteger(position) && position >= 0 && position < chunk.items.length;
    if (!usable) unplaced.push({ ...item });
    else if (!failedPositions.has(position)) {
      failedPositions.add(position);
      const failedItem = chunk.items[position];
      for (const index of failedItem?.inputIndexes ?? []) {
        tally.errors.push({ index, code: 'REJECTED', message: upstreamItemMessage(item), detail: { ...item } });
        tally.failed++;
      }
    }
  }
  // An error that names no item still stands for one item that was not written.
  const written = chunk.items.length - failedPositions.size;
  const unplacedCounted = unplaced.slice(0, written);
  for (const item of unplacedCounted) {
    tally.errors.push({ index: -1, code: 'REJECTED', message: upstreamItemMessage(item), detail: item });
    tally.failed++;
  }
  const succeeded = written - unplacedCounted.length;
  const created = Math.min(answer.created, succeeded);
  tally.created += created;
  tally.updated += succeeded - created;
  chunk.items.forEach((item, position) => {
    if (failedPositions.has(position)) return;
    tally.updated += item.inputIndexes.length - 1;
  });
}

/** A batch call that failed as a whole fails every input item it carried. */
export function tallyFailedChunk(tally: BatchTally, chunk: PlannedChunk, error: UpstreamError): void {
  for (const item of chunk.items) {
    for (const index of item.inputIndexes) {
      tally.errors.push(callFailure(index, error));
      tally.failed++;
    }
  }
}

/** An input item whose upstream call failed after its retries, with the upstream's body as detail. */
export function callFailure(index: number, error: UpstreamError): BatchItemError {
  const body = error.details.body;
  return { index, code: CODE_FOR_CALL_FAILURE[error.code], message: error.message, ...(body ? { detail: body } : {}) };
}

function upstreamItemMessage(item: Record<string, unknown>): string {
  if (typeof item.message === 'string' && item.message !== '') return item.message;
  if (typeof item.detail === 'string' && item.detail !== '') return item.detail;
  return 'graph8 refused this item';
}

/** Errors in input order; those the upstream could not place come last. */
export function sortErrors(errors: BatchItemError[]): BatchItemError[] {
  return errors.sort((a, b) => (a.index === -1 ? 1 : 0) - (b.index === -1 ? 1 : 0) || a.index - b.index);
}
