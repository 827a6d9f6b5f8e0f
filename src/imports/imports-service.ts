import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PubSub } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { AuthorizedCaller } from '../auth.js';
import { type BatchItemError, emptyTally, tallyAnsweredChunk, tallyFailedChunk } from '../batch/accounting.js';
import { type FoldedItem, mergeLaterFields } from '../batch/fold.js';
import type { PlannedChunk } from '../batch/plan-chunks.js';
import { isFatal } from '../batch/request-loaders.js';
import { badUserInput, type InputIssue, notFound } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import { companies } from '../records/company.js';
import { contacts } from '../records/contact.js';
import type { BatchedRecords } from '../records/record-table.js';
import type { Graph8Api, RecordKind } from '../upstream/graph8-api.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import {
  type ChunkItem,
  type ChunkQueue,
  type ChunkRunOutcome,
  type ErrorsPage,
  hasEnded,
  type ImportRecord,
  type ImportState,
  type ImportStore,
  type ImportsPage,
  type IncomingRow,
} from './import-model.js';
import type { ImportSecrets } from './import-secrets.js';

export const RECORDS_OF: Readonly<Record<RecordKind, BatchedRecords>> = { contacts, companies };

/** Progress events: a notice that an import moved; subscribers read the store for the rest. */
export type ImportEvents = PubSub<{ 'import-progress': [importId: string, moved: true] }>;

/** Failed rows read at once for a report. */
const REPORT_PAGE = 1_000;

export interface FailedRow {
  readonly error: BatchItemError;
  readonly input: Readonly<Record<string, unknown>> | undefined;
}

/** How often a progress stream looks at the store when no notice came, and the least time between its events. */
const PROGRESS_EVERY_MS = 1_000;
/** How long a repeated request waits for the first one with the same idempotency key to finish. */
const IDEMPOTENT_WAIT_MS = 10_000;

export interface ImportsSettings {
  readonly retentionMs: number;
  readonly maxRowsPerImport: number;
  /** The gateway's own upstream key, for imports of callers who use it (gateway-key mode). */
  readonly gatewayApiKey: string | undefined;
}

export interface ImportsDependencies {
  readonly store: ImportStore;
  readonly queue: ChunkQueue;
  readonly events: ImportEvents;
  readonly api: Graph8Api;
  readonly secrets: ImportSecrets;
  readonly settings: ImportsSettings;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Closes what the engine opened beside the store and queue (Redis connections). */
  readonly onClose?: () => Promise<void>;
}

/** A caller as imports see them: the owner they act as, and the key their chunks are sent with. */
export interface ImportCaller {
  readonly owner: string;
  readonly apiKey: string;
  readonly keySource: 'gateway' | 'caller';
}

export interface AppendRequest {
  readonly importId: string;
  readonly kind: RecordKind;
  /** How many rows the slices carry in all (checked against MAX_ROWS_PER_IMPORT before any is kept). */
  readonly rowCount: number;
  readonly slices: () => AsyncIterable<readonly IncomingRow[]>;
  /** What identifies the request for its idempotency key: its arguments (for a file, its bytes); asked only with a key. */
  readonly fingerprint: () => string | Promise<string>;
  /** The argument path that names the import, for issues. */
  readonly importIdPath: ReadonlyArray<string | number>;
}

export const fingerprintOf = (...parts: unknown[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/** The same `rows` as an append's slices, a thousand rows each, so that no store call takes a whole list. */
export async function* slicesOf<T>(rows: readonly T[], size = 1_000): AsyncIterable<readonly T[]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

/**
 * Imports, above the store and queue interfaces: one code path whichever
 * engine runs them. The GraphQL fields call it; the queue's workers call
 * runChunk.
 */
export class ImportsService {
  constructor(private readonly deps: ImportsDependencies) {
    deps.metrics.watchImports(() => deps.store.countByState());
  }

  get settings(): ImportsSettings {
    return this.deps.settings;
  }

  callerOf(access: AuthorizedCaller): ImportCaller {
    return {
      owner: this.deps.secrets.owner(access.credential),
      apiKey: access.apiKey,
      keySource: access.keySource,
    };
  }

  /** Starts taking chunks on this copy. */
  work(): void {
    this.deps.queue.work((importId, chunk) => this.runChunk(importId, chunk));
  }

  /** The caller's import, or undefined (another caller's is never told apart from a missing one). */
  async find(caller: ImportCaller, id: string): Promise<ImportRecord | undefined> {
    const record = await this.deps.store.get(id);
    return record?.owner === caller.owner ? record : undefined;
  }

  private async owned(caller: ImportCaller, id: string): Promise<ImportRecord> {
    const record = await this.find(caller, id);
    if (!record) throw notFound(`No import ${id} of yours (it may have ended more than the retention time ago).`);
    return record;
  }

  list(
    caller: ImportCaller,
    first: number,
    after: string | undefined,
    state: ImportState | undefined,
  ): Promise<ImportsPage> {
    return this.deps.store.listOwned(caller.owner, first, after, state);
  }

  errors(record: ImportRecord, first: number, after: number | undefined): Promise<ErrorsPage> {
    return this.deps.store.errorsPage(record.id, first, after);
  }

  /** Runs `work` once per idempotency key and arguments; a repeat gets the same import back, as it stands now. */
  private async once(
    caller: ImportCaller,
    idempotencyKey: string | undefined,
    fingerprintOfRequest: () => string | Promise<string>,
    work: () => Promise<ImportRecord>,
  ): Promise<ImportRecord> {
    if (idempotencyKey === undefined) return work();
    const { store } = this.deps;
    const fingerprint = await fingerprintOfRequest();
    const until = Date.now() + IDEMPOTENT_WAIT_MS;
    for (;;) {
      const claim = await store.claimIdempotencyKey(caller.owner, idempotencyKey, fingerprint);
      if (claim.status === 'new') break;
      if (claim.fingerprint !== fingerprint) {
        throw badUserInput([{ path: ['idempotencyKey'], message: 'was already used with other arguments' }]);
      }
      if (claim.importId !== undefined) return this.owned(caller, claim.importId);
      if (Date.now() > until) {
        throw badUserInput([{ path: ['idempotencyKey'], message: 'a request with this key is still running' }]);
      }
      await sleep(100);
    }
    try {
      const record = await work();
      await store.settleIdempotencyKey(caller.owner, idempotencyKey, record.id);
      return record;
    } catch (error) {
      await store.releaseIdempotencyKey(caller.owner, idempotencyKey);
      throw error;
    }
  }

  create(caller: ImportCaller, kind: RecordKind, listId: number, idempotencyKey?: string): Promise<ImportRecord> {
    return this.once(
      caller,
      idempotencyKey,
      () => fingerprintOf('createImport', kind, listId),
      () => this.createNow(caller, kind, listId),
    );
  }

  private async createNow(caller: ImportCaller, kind: RecordKind, listId: number): Promise<ImportRecord> {
    const id = `imp_${randomBytes(16).toString('base64url')}`;
    const record = await this.deps.store.create({
      id,
      owner: caller.owner,
      kind,
      listId,
      createdAt: Date.now(),
      ...(caller.keySource === 'caller' ? { sealedKey: this.deps.secrets.seal(caller.apiKey, id) } : {}),
    });
    this.logState(record);
    return record;
  }

  append(caller: ImportCaller, request: AppendRequest, idempotencyKey?: string): Promise<ImportRecord> {
    return this.once(caller, idempotencyKey, request.fingerprint, () => this.appendNow(caller, request));
  }

  private async appendNow(caller: ImportCaller, request: AppendRequest): Promise<ImportRecord> {
    const record = await this.owned(caller, request.importId);
    if (record.kind !== request.kind) {
      throw badUserInput([
        { path: request.importIdPath, message: `is an import of ${record.kind}; append ${record.kind} to it` },
      ]);
    }
    this.checkAppendable(record, request.importIdPath, request.rowCount);
    const outcome = await this.deps.store.append(
      record.id,
      request.rowCount,
      request.slices(),
      this.settings.maxRowsPerImport,
    );
    if (!outcome.ok) this.checkAppendable(outcome.record, request.importIdPath, request.rowCount);
    return outcome.record;
  }

  private checkAppendable(record: ImportRecord, importIdPath: ReadonlyArray<string | number>, rowCount: number): void {
    const issues: InputIssue[] = [];
    if (record.state !== 'OPEN') {
      issues.push({ path: importIdPath, message: `is ${record.state}: only an OPEN import takes rows` });
    } else if (record.total + rowCount > this.settings.maxRowsPerImport) {
      issues.push({
        path: importIdPath,
        message: `would hold ${record.total + rowCount} rows; one import holds at most ${this.settings.maxRowsPerImport}`,
      });
    }
    if (issues.length > 0) throw badUserInput(issues);
  }

  /** importContacts / importCompanies: create, append and start, as one idempotent step. */
  importRows(
    caller: ImportCaller,
    kind: RecordKind,
    listId: number,
    inputs: ReadonlyArray<Readonly<Record<string, unknown>>>,
    idempotencyKey?: string,
  ): Promise<ImportRecord> {
    const fingerprint = () => fingerprintOf('import', kind, listId, inputs);
    return this.once(caller, idempotencyKey, fingerprint, async () => {
      const created = await this.createNow(caller, kind, listId);
      await this.appendNow(caller, {
        importId: created.id,
        kind,
        rowCount: inputs.length,
        slices: () => slicesOf(this.incomingRows(kind, inputs)),
        fingerprint,
        importIdPath: [kind],
      });
      return this.startNow(created.id);
    });
  }

  /** Rows checked by the input rules, with their match keys. */
  incomingRows(kind: RecordKind, inputs: ReadonlyArray<Readonly<Record<string, unknown>>>): IncomingRow[] {
    const records = RECORDS_OF[kind];
    return inputs.map((input) => ({ input, keys: records.keysOf(records.table.toWire(input)) }));
  }

  async start(caller: ImportCaller, id: string): Promise<ImportRecord> {
    await this.owned(caller, id);
    return this.startNow(id);
  }

  private async startNow(id: string): Promise<ImportRecord> {
    const before = await this.deps.store.get(id);
    const record = await this.deps.store.start(id);
    if (!record) throw notFound(`No import ${id}.`);
    // Also after a start whose enqueue failed: a QUEUED import's chunks are enqueued again (a chunk runs once anyway).
    if (record.state === 'QUEUED') await this.deps.queue.enqueue(id, record.chunks);
    if (before?.state !== record.state) this.moved(record);
    return record;
  }

  async cancel(caller: ImportCaller, id: string): Promise<ImportRecord> {
    const before = await this.owned(caller, id);
    const record = (await this.deps.store.cancel(id)) ?? before;
    if (before.state !== record.state) this.moved(record);
    return record;
  }

  private moved(record: ImportRecord): void {
    this.logState(record);
    this.deps.events.publish('import-progress', record.id, true);
  }

  private logState(record: ImportRecord): void {
    const { id, kind, state, total, created, updated, failed, skipped, chunks, chunksDone } = record;
    this.deps.logger.info(
      { importId: id, kind, state, total, created, updated, failed, skipped, chunks, chunksDone },
      `import ${state.toLowerCase()}`,
    );
  }

  /**
   * The import as it stands, then again as it moves (at most about once a
   * second, at once on a change of state), until it ends. Notices come
   * through the pub/sub; a lost one only delays an update, because the
   * store is read at least once a second anyway.
   */
  async *progress(caller: ImportCaller, id: string): AsyncGenerator<ImportRecord> {
    let current = await this.owned(caller, id);
    const notices = this.deps.events.subscribe('import-progress', id);
    let noticed: () => void = () => undefined;
    const draining = (async () => {
      for await (const _notice of notices) noticed();
    })();
    try {
      yield current;
      let sentAt = Date.now();
      while (!hasEnded(current.state)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, PROGRESS_EVERY_MS);
          noticed = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        noticed = () => undefined;
        let next = await this.deps.store.get(id);
        if (!next) return;
        if (next.state === current.state && !movedSince(current, next)) continue;
        const wait = PROGRESS_EVERY_MS - (Date.now() - sentAt);
        if (next.state === current.state && wait > 0) {
          await sleep(wait);
          next = (await this.deps.store.get(id)) ?? next;
        }
        current = next;
        sentAt = Date.now();
        yield current;
      }
    } finally {
      await notices.return();
      await draining;
    }
  }

  /** One chunk, from its claim to its count; 'later' when it must wait (or be left to another copy). */
  async runChunk(importId: string, chunk: number): Promise<ChunkRunOutcome> {
    const started = performance.now();
    const { store, api, logger, metrics } = this.deps;
    const claim = await store.claimChunk(importId, chunk);
    if (claim.action === 'done') return 'done';
    if (claim.action === 'wait') return 'later';
    const { record } = claim;
    const planned: PlannedChunk = { items: claim.items.map((item) => foldedItem(record.kind, item)), after: [] };
    const tally = emptyTally();
    let skipped = 0;
    if (claim.action === 'count-skipped') skipped = countRows(claim.items);
    else if (claim.action === 'fail-unsent') {
      for (const item of planned.items) {
        for (const index of item.inputIndexes) {
          tally.errors.push({
            index,
            code: 'NOT_SENT',
            message: 'Not sent: graph8 refused the key (401/403) earlier in this import',
          });
          tally.failed++;
        }
      }
    } else {
      try {
        const answer = await api.assertRecordBatch(
          record.kind,
          record.listId,
          planned.items.map((item) => item.fields),
          {
            apiKey: await this.keyOf(record),
            requestId: `${importId}-${chunk}`,
            priority: 'import',
            onAttempt: (event) => metrics.recordAttempt(event),
          },
        );
        tallyAnsweredChunk(tally, planned, answer);
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        if (error.details.shutdown) return 'later';
        // Rate limited past the retries: the chunk waits for the key's window instead of failing its rows.
        if (error.code === 'RATE_LIMITED') {
          return { rateLimitedForMs: Math.max(1_000, (error.details.retryAfterSeconds ?? 1) * 1000) };
        }
        if (isFatal(error)) await store.stopSending(importId);
        tallyFailedChunk(tally, planned, error);
      }
    }
    const failedRows = new Set(tally.errors.map((error) => error.index));
    const counted = await store.countChunk(importId, chunk, {
      created: tally.created,
      updated: tally.updated,
      failed: tally.failed,
      skipped,
      errors: tally.errors,
      writtenRows: planned.items.flatMap((item) => item.inputIndexes.filter((index) => !failedRows.has(index))),
    });
    if (!counted) return 'done';
    const seconds = (performance.now() - started) / 1000;
    const rows = { created: tally.created, updated: tally.updated, failed: tally.failed, skipped };
    metrics.recordImportChunk(record.kind, rows, seconds);
    logger.debug({ importId, chunk, ...rows, durationMs: Math.round(seconds * 1000) }, 'import chunk');
    if (claim.began) this.logState({ ...record, state: 'RUNNING' });
    if (hasEnded(counted.state)) this.moved(counted);
    else this.deps.events.publish('import-progress', importId, true);
    return 'done';
  }

  /** The upstream key an import's chunks are sent with: its creator's (kept sealed), or the gateway's own. */
  private async keyOf(record: ImportRecord): Promise<string> {
    const sealed = await this.deps.store.sealedKey(record.id);
    if (sealed !== undefined) return this.deps.secrets.unseal(sealed, record.id);
    if (this.settings.gatewayApiKey === undefined) throw new Error(`import ${record.id} has no key to send with`);
    return this.settings.gatewayApiKey;
  }

  reportToken(record: ImportRecord): string {
    return this.deps.secrets.reportToken(record.id, record.owner, Date.now());
  }

  /** The import whose report may be read with this token, or by this caller (its owner); else undefined. */
  async reportable(
    id: string,
    token: string | null,
    caller: ImportCaller | undefined,
  ): Promise<ImportRecord | undefined> {
    const record = await this.deps.store.get(id);
    if (!record) return undefined;
    const signed = token !== null && this.deps.secrets.checkReportToken(id, record.owner, token, Date.now());
    return signed || caller?.owner === record.owner ? record : undefined;
  }

  /** The failed rows in the order of errors, each with the row's fields as given (none for a row it could not place). */
  async *failedRows(record: ImportRecord): AsyncIterable<FailedRow> {
    let after: number | undefined;
    do {
      const page = await this.deps.store.errorsPage(record.id, REPORT_PAGE, after);
      const inputs = await this.deps.store.rowsOf(
        record.id,
        page.items.map((error) => error.index).filter((index) => index >= 0),
      );
      let placed = 0;
      for (const error of page.items) yield { error, input: error.index >= 0 ? inputs[placed++] : undefined };
      after = page.next;
    } while (after !== undefined);
  }

  /** Stops taking chunks; those in flight finish within `graceMs`, the rest are left to other copies. */
  stopWorking(graceMs: number): Promise<void> {
    return this.deps.queue.close(graceMs);
  }

  /** Closes the store and whatever else the engine opened, once nothing uses them. */
  async close(): Promise<void> {
    await this.deps.store.close();
    await this.deps.onClose?.();
  }
}

function movedSince(before: ImportRecord, after: ImportRecord): boolean {
  return (
    after.chunksDone !== before.chunksDone || processedOf(after) !== processedOf(before) || after.total !== before.total
  );
}

export const processedOf = (record: ImportRecord): number =>
  record.created + record.updated + record.failed + record.skipped;

function countRows(items: readonly ChunkItem[]): number {
  return items.reduce((sum, item) => sum + item.rows.length, 0);
}

/** A chunk item as the batch engine sends and accounts it: its rows' fields folded in order. */
function foldedItem(kind: RecordKind, item: ChunkItem): FoldedItem {
  const { table } = RECORDS_OF[kind];
  const fields = item.inputs.map((input) => table.toWire(input)).reduce(mergeLaterFields, {});
  return { fields, keys: [], inputIndexes: [...item.rows] };
}
