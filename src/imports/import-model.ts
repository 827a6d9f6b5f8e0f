import type { BatchItemError } from '../batch/accounting.js';
import type { RecordKind } from '../upstream/graph8-api.js';

/**
 * What an import is, and the small interfaces its two engines implement: the
 * store (in memory, or Redis) and the chunk queue (in process, or BullMQ).
 * Everything above them (the GraphQL fields, validation, folding, planning,
 * accounting, progress) is one code path, in imports-service.ts.
 */

export const IMPORT_STATES = ['OPEN', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

const ENDED: ReadonlySet<ImportState> = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED']);
export const hasEnded = (state: ImportState): boolean => ENDED.has(state);

export interface ImportCounters {
  /** Rows received, over every append. */
  readonly total: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  /** Rows never sent because the import was cancelled. */
  readonly skipped: number;
  /** Rows folded into an earlier row with the same match key. */
  readonly deduplicated: number;
  /** Upstream batch calls planned (known once QUEUED). */
  readonly chunks: number;
  readonly chunksDone: number;
}

export interface ImportRecord extends ImportCounters {
  readonly id: string;
  /** A keyed hash of the credential its creator showed; never the credential. */
  readonly owner: string;
  readonly kind: RecordKind;
  readonly listId: number;
  readonly state: ImportState;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** Rows per second over the last chunks counted; undefined while unknown. */
  readonly rowsPerSecond?: number;
}

/** The end state follows the counters alone. */
export function endState(counters: Pick<ImportCounters, 'failed' | 'created' | 'updated'>): ImportState {
  if (counters.failed === 0) return 'SUCCEEDED';
  return counters.created + counters.updated > 0 ? 'PARTIAL' : 'FAILED';
}

/** One checked row on its way into an import: as given (for the error report) and its match keys. */
export interface IncomingRow {
  /** The input object as the client gave it (GraphQL names). */
  readonly input: Readonly<Record<string, unknown>>;
  /** Every key the row can be matched by, primary first (batch/match-key.ts). */
  readonly keys: readonly string[];
}

export interface NewImport {
  readonly id: string;
  readonly owner: string;
  readonly kind: RecordKind;
  readonly listId: number;
  readonly createdAt: number;
  /** The caller's upstream key, sealed (pass-through); none when the gateway's own key is used. */
  readonly sealedKey?: string;
}

export type AppendOutcome =
  | { readonly ok: true; readonly record: ImportRecord }
  | { readonly ok: false; readonly reason: 'not-open' | 'too-many-rows'; readonly record: ImportRecord };

/** A chunk handed to a worker: the import as the claim left it, and the chunk's items. */
interface ClaimedChunk {
  readonly record: ImportRecord;
  /** Each item stands for the rows folded into it (row indexes, rows as given). */
  readonly items: readonly ChunkItem[];
  /** This claim moved the import from QUEUED to RUNNING. */
  readonly began: boolean;
}

/** What a worker may do with one chunk. */
export type ChunkClaim =
  /** Send it. */
  | ({ readonly action: 'send' } & ClaimedChunk)
  /** The key was refused (401/403) earlier: count its rows failed with NOT_SENT, unsent. */
  | ({ readonly action: 'fail-unsent' } & ClaimedChunk)
  /** Cancelled after it was first handed out (its copy died): count its rows skipped. */
  | ({ readonly action: 'count-skipped' } & ClaimedChunk)
  /** A chunk it shares a match key with has not been counted yet: try again shortly. */
  | { readonly action: 'wait' }
  /** Nothing to do: counted already (a second delivery), or the import is gone. */
  | { readonly action: 'done' };

export interface ChunkItem {
  /** Row indexes, in the order the rows came: the first is where the item is sent from. */
  readonly rows: readonly number[];
  /** The rows as given, in the same order. */
  readonly inputs: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** A counted chunk: what each of its rows came to. */
export interface ChunkOutcome {
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly skipped: number;
  readonly errors: readonly BatchItemError[];
  /** Rows written: their stored fields are deleted once counted. */
  readonly writtenRows: readonly number[];
}

export interface ImportsPage {
  readonly records: readonly ImportRecord[];
  readonly hasNextPage: boolean;
}

export interface ErrorsPage {
  readonly items: readonly BatchItemError[];
  /** Pass back to get the next page; undefined on the last one. */
  readonly next?: number;
}

/** Where a claimed idempotency key stands. */
export type IdempotencyClaim =
  | { readonly status: 'new' }
  | { readonly status: 'seen'; readonly fingerprint: string; readonly importId: string | undefined };

/**
 * The import store: every read and write an import needs, each one atomic in
 * the store (a chunk is counted once however often it is delivered). Ended
 * imports, OPEN ones never started and idempotency keys last the retention
 * time the store was made with.
 */
export interface ImportStore {
  create(init: NewImport): Promise<ImportRecord>;
  get(id: string): Promise<ImportRecord | undefined>;
  /** The owner's imports, newest first, after the import `after` names. */
  listOwned(
    owner: string,
    first: number,
    after: string | undefined,
    state: ImportState | undefined,
  ): Promise<ImportsPage>;
  /**
   * Adds `rowCount` rows to an OPEN import in the order the slices give
   * them, folding each into an earlier row with the same primary match key,
   * under the import's append lock for the whole sequence (another append
   * waits). Nothing is added when the import is not OPEN or would hold more
   * than `maxRows`.
   */
  append(
    id: string,
    rowCount: number,
    slices: AsyncIterable<readonly IncomingRow[]>,
    maxRows: number,
  ): Promise<AppendOutcome>;
  /** OPEN -> QUEUED (or SUCCEEDED when empty): plans the chunks; other states answer as they are. */
  start(id: string): Promise<ImportRecord | undefined>;
  /** Cancels an import that has not ended: unstarted chunks count as skipped at once. */
  cancel(id: string): Promise<ImportRecord | undefined>;
  claimChunk(id: string, chunk: number): Promise<ChunkClaim>;
  /** Counts a chunk once; a second count of the same chunk changes nothing. */
  countChunk(id: string, chunk: number, outcome: ChunkOutcome): Promise<ImportRecord | undefined>;
  /** The key was refused: the chunks not yet sent will fail with NOT_SENT. */
  stopSending(id: string): Promise<void>;
  errorsPage(id: string, first: number, after: number | undefined): Promise<ErrorsPage>;
  /** The failed rows as given, for the error report. */
  rowsOf(id: string, indexes: readonly number[]): Promise<ReadonlyArray<Readonly<Record<string, unknown>> | undefined>>;
  sealedKey(id: string): Promise<string | undefined>;
  /** Imports in each state, ended ones until their retention ends. */
  countByState(): Promise<Readonly<Record<ImportState, number>>>;
  claimIdempotencyKey(owner: string, key: string, fingerprint: string): Promise<IdempotencyClaim>;
  settleIdempotencyKey(owner: string, key: string, importId: string): Promise<void>;
  releaseIdempotencyKey(owner: string, key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What became of a chunk a worker took: counted (or nothing to do), to be
 * tried again shortly, or refused by graph8's rate limit for a while (the
 * workers pause, and the chunk is tried again without it counting as an attempt).
 */
export type ChunkRunOutcome = 'done' | 'later' | { readonly rateLimitedForMs: number };

/** Hands chunks to workers; a chunk is the unit of work. */
export interface ChunkQueue {
  enqueue(importId: string, chunks: number): Promise<void>;
  /** Starts taking chunks (not on a copy with IMPORT_WORKERS=false). */
  work(run: (importId: string, chunk: number) => Promise<ChunkRunOutcome>): void;
  /** Stops taking chunks and lets those in flight finish within `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/** The store cannot be reached (Redis down): imports answer SERVICE_UNAVAILABLE, nothing else stops. */
export class ImportStoreUnavailable extends Error {}
