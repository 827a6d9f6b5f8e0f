import { nativeSignal } from '../native-signal.js';
import type { UpstreamCallOptions } from '../upstream/client.js';
import { type Graph8Api, type RecordKind, UPSTREAM_BATCH_LIMIT } from '../upstream/graph8-api.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import type { WireFields } from '../upstream/wire.js';
import { type BatchItemError, emptyTally, sortErrors, tallyAnsweredChunk, tallyFailedChunk } from './accounting.js';
import { foldDuplicates } from './fold.js';
import { planChunks } from './plan-chunks.js';
import { runChunks } from './run-chunks.js';

export interface BatchAssertRequest {
  readonly kind: RecordKind;
  readonly listId: number;
  readonly items: readonly WireFields[];
  readonly keysOf: (fields: WireFields) => string[];
  readonly concurrency: number;
  readonly chunkSize?: number;
}

export interface BatchAssertResult {
  readonly total: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly deduplicated: number;
  readonly chunks: number;
  readonly errors: readonly BatchItemError[];
}

/** Failures that no other call could fare better with: the whole mutation fails. */
const FATAL_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

/**
 * Folds, plans and sends a list of records in upstream batch calls, and
 * accounts for every input item: total = created + updated + failed.
 */
export async function assertBatch(
  api: Graph8Api,
  request: BatchAssertRequest,
  call: UpstreamCallOptions,
): Promise<BatchAssertResult> {
  const { items: folded, deduplicated } = foldDuplicates(request.items, request.keysOf);
  const chunks = planChunks(folded, request.chunkSize ?? UPSTREAM_BATCH_LIMIT);
  const tally = emptyTally();
  // A fatal answer stops the calls not yet sent; the caller's own cancellation does too.
  const stop = new AbortController();
  const signal = call.signal ? AbortSignal.any([nativeSignal(call.signal), stop.signal]) : stop.signal;
  let fatal: UpstreamError | undefined;
  await runChunks(chunks, request.concurrency, async (chunk) => {
    const fields = chunk.items.map((item) => item.fields);
    try {
      const answer = await api.assertRecordBatch(request.kind, request.listId, fields, { ...call, signal });
      tallyAnsweredChunk(tally, chunk, answer);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      if (FATAL_CODES.has(error.code) && !fatal) {
        fatal = error;
        stop.abort(error);
      }
      tallyFailedChunk(tally, chunk, error);
    }
  });
  if (fatal) throw fatal;
  return {
    total: request.items.length,
    created: tally.created,
    updated: tally.updated,
    failed: tally.failed,
    deduplicated,
    chunks: chunks.length,
    errors: sortErrors(tally.errors),
  };
}
