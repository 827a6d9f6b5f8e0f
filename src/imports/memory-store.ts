import type { BatchItemError } from '../batch/accounting.js';
import {
  type AppendPlan,
  CHUNK_SIZE,
  chunkCount,
  chunkDependencies,
  type KeyOwners,
  planAppend,
} from './append-plan.js';
import {
  type AppendOutcome,
  type ChunkClaim,
  type ChunkItem,
  type ChunkOutcome,
  type ErrorsPage,
  endState,
  hasEnded,
  type IdempotencyClaim,
  IMPORT_STATES,
  type ImportRecord,
  type ImportState,
  type ImportStore,
  type ImportsPage,
  type IncomingRow,
  type NewImport,
} from './import-model.js';
import { errorOrder, rowsPerSecond } from './import-progress.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface HeldImport {
  record: Mutable<ImportRecord>;
  expiresAt: number;
  sealedKey: string | undefined;
  items: number;
  stopped: boolean;
  readonly rows: Map<number, Readonly<Record<string, unknown>>>;
  readonly itemRows: Map<number, number[]>;
  readonly owners: KeyOwners;
  readonly edges: Array<readonly [number, number]>;
  readonly rowsPerChunk: Map<number, number>;
  chunkDeps: Map<number, number[]>;
  readonly done: Set<number>;
  readonly started: Set<number>;
  readonly errors: Array<{ readonly order: number; readonly error: BatchItemError }>;
  errorsSorted: boolean;
  readonly pace: Array<{ readonly at: number; readonly rows: number }>;
  /** Appends wait for each other: rows keep the order the appends were accepted in. */
  appending: Promise<unknown>;
}

const PACE_WINDOW = 20;
const SWEEP_EVERY_MS = 60_000;

/**
 * The embedded default: imports in this process's memory, lost when it ends,
 * not shared between copies. The same operations as the Redis store, each one
 * synchronous here, so atomic.
 */
export class MemoryImportStore implements ImportStore {
  private readonly imports = new Map<string, HeldImport>();
  private readonly idempotency = new Map<string, { fingerprint: string; importId?: string; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS).unref();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, held] of this.imports) if (held.expiresAt <= now) this.imports.delete(id);
    for (const [key, entry] of this.idempotency) if (entry.expiresAt <= now) this.idempotency.delete(key);
  }

  private held(id: string): HeldImport | undefined {
    const held = this.imports.get(id);
    if (held && held.expiresAt <= this.now()) {
      this.imports.delete(id);
      return undefined;
    }
    return held;
  }

  private snapshot(held: HeldImport): ImportRecord {
    const speed = rowsPerSecond(held.pace);
    return { ...held.record, ...(speed === undefined ? {} : { rowsPerSecond: speed }) };
  }

  async create(init: NewImport): Promise<ImportRecord> {
    const record: Mutable<ImportRecord> = {
      id: init.id,
      owner: init.owner,
      kind: init.kind,
      listId: init.listId,
      state: 'OPEN',
      createdAt: init.createdAt,
      total: 0,
      created: 0,
      updated: 0,
      failed: 0,
      skipped: 0,
      deduplicated: 0,
      chunks: 0,
      chunksDone: 0,
    };
    this.imports.set(init.id, {
      record,
      expiresAt: init.createdAt + this.retentionMs,
      sealedKey: init.sealedKey,
      items: 0,
      stopped: false,
      rows: new Map(),
      itemRows: new Map(),
      owners: { primary: new Map(), secondary: new Map() },
      edges: [],
      rowsPerChunk: new Map(),
      chunkDeps: new Map(),
      done: new Set(),
      started: new Set(),
      errors: [],
      errorsSorted: true,
      pace: [],
      appending: Promise.resolve(),
    });
    return { ...record };
  }

  async get(id: string): Promise<ImportRecord | undefined> {
    const held = this.held(id);
    return held ? this.snapshot(held) : undefined;
  }

  async listOwned(
    owner: string,
    first: number,
    after: string | undefined,
    state: ImportState | undefined,
  ): Promise<ImportsPage> {
    // The map keeps the order imports were created in: newest first is that order backwards.
    const owned = [...this.imports.values()]
      .filter((held) => held.record.owner === owner && held.expiresAt > this.now())
      .map((held) => this.snapshot(held))
      .reverse();
    const start = after === undefined ? 0 : owned.findIndex((record) => record.id === after) + 1;
    const matching = owned.slice(start).filter((record) => state === undefined || record.state === state);
    return { records: matching.slice(0, first), hasNextPage: matching.length > first };
  }

  async append(
    id: string,
    rowCount: number,
    slices: AsyncIterable<readonly IncomingRow[]>,
    maxRows: number,
  ): Promise<AppendOutcome> {
    const held = this.held(id);
    if (!held) throw new Error(`import ${id} is gone`);
    const previous = held.appending;
    let release: () => void = () => undefined;
    held.appending = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      if (held.record.state !== 'OPEN') return { ok: false, reason: 'not-open', record: this.snapshot(held) };
      if (held.record.total + rowCount > maxRows) {
        return { ok: false, reason: 'too-many-rows', record: this.snapshot(held) };
      }
      for await (const slice of slices) this.apply(held, planAppend(slice, held.record.total, held.items, held.owners));
      return { ok: true, record: this.snapshot(held) };
    } finally {
      release();
    }
  }

  private apply(held: HeldImport, plan: AppendPlan): void {
    for (const row of plan.rows) {
      held.rows.set(row.index, row.input);
      const rows = held.itemRows.get(row.item);
      if (rows) rows.push(row.index);
      else held.itemRows.set(row.item, [row.index]);
    }
    held.edges.push(...plan.edges);
    for (const [chunk, count] of plan.rowsPerChunk) {
      held.rowsPerChunk.set(chunk, (held.rowsPerChunk.get(chunk) ?? 0) + count);
    }
    held.items = plan.items;
    held.record.total += plan.rows.length;
    held.record.deduplicated += plan.deduplicated;
  }

  async start(id: string): Promise<ImportRecord | undefined> {
    const held = this.held(id);
    if (!held) return undefined;
    await held.appending;
    if (held.record.state !== 'OPEN') return this.snapshot(held);
    held.record.chunks = chunkCount(held.items);
    held.chunkDeps = chunkDependencies(held.edges);
    held.edges.length = 0;
    held.owners.primary.clear();
    held.owners.secondary.clear();
    held.expiresAt = Number.POSITIVE_INFINITY;
    if (held.record.total === 0) this.finish(held);
    else held.record.state = 'QUEUED';
    return this.snapshot(held);
  }

  private finish(held: HeldImport): void {
    const now = this.now();
    held.record.state = held.record.state === 'CANCELLED' ? 'CANCELLED' : endState(held.record);
    held.record.finishedAt = now;
    held.expiresAt = now + this.retentionMs;
    held.sealedKey = undefined;
  }

  async cancel(id: string): Promise<ImportRecord | undefined> {
    const held = this.held(id);
    if (!held) return undefined;
    if (hasEnded(held.record.state)) return this.snapshot(held);
    const wasOpen = held.record.state === 'OPEN';
    held.record.state = 'CANCELLED';
    if (wasOpen) {
      held.record.skipped = held.record.total;
      this.finish(held);
      return this.snapshot(held);
    }
    for (let chunk = 0; chunk < held.record.chunks; chunk++) {
      if (held.started.has(chunk) || held.done.has(chunk)) continue;
      held.done.add(chunk);
      held.record.chunksDone++;
      held.record.skipped += held.rowsPerChunk.get(chunk) ?? 0;
    }
    if (held.record.chunksDone === held.record.chunks) this.finish(held);
    return this.snapshot(held);
  }

  async claimChunk(id: string, chunk: number): Promise<ChunkClaim> {
    const held = this.held(id);
    if (!held || held.done.has(chunk) || chunk >= held.record.chunks) return { action: 'done' };
    if ((held.chunkDeps.get(chunk) ?? []).some((before) => !held.done.has(before))) return { action: 'wait' };
    held.started.add(chunk);
    const began = held.record.state === 'QUEUED';
    if (began) {
      held.record.state = 'RUNNING';
      held.record.startedAt = this.now();
    }
    const items: ChunkItem[] = [];
    for (let item = chunk * CHUNK_SIZE; item < Math.min((chunk + 1) * CHUNK_SIZE, held.items); item++) {
      const rows = held.itemRows.get(item) ?? [];
      items.push({ rows, inputs: rows.map((row) => held.rows.get(row) ?? {}) });
    }
    const action = held.record.state === 'CANCELLED' ? 'count-skipped' : held.stopped ? 'fail-unsent' : 'send';
    return { action, record: this.snapshot(held), items, began };
  }

  async countChunk(id: string, chunk: number, outcome: ChunkOutcome): Promise<ImportRecord | undefined> {
    const held = this.held(id);
    if (!held || held.done.has(chunk)) return undefined;
    held.done.add(chunk);
    const record = held.record;
    record.chunksDone++;
    record.created += outcome.created;
    record.updated += outcome.updated;
    record.failed += outcome.failed;
    record.skipped += outcome.skipped;
    outcome.errors.forEach((error, position) => {
      held.errors.push({ order: errorOrder(error.index, chunk, position), error });
    });
    held.errorsSorted = held.errors.length === 0;
    for (const row of outcome.writtenRows) held.rows.delete(row);
    for (let item = chunk * CHUNK_SIZE; item < (chunk + 1) * CHUNK_SIZE; item++) held.itemRows.delete(item);
    held.pace.unshift({ at: this.now(), rows: outcome.created + outcome.updated + outcome.failed + outcome.skipped });
    held.pace.length = Math.min(held.pace.length, PACE_WINDOW);
    if (record.chunksDone === record.chunks) this.finish(held);
    return this.snapshot(held);
  }

  async stopSending(id: string): Promise<void> {
    const held = this.held(id);
    if (held) held.stopped = true;
  }

  async errorsPage(id: string, first: number, after: number | undefined): Promise<ErrorsPage> {
    const held = this.held(id);
    if (!held) return { items: [] };
    if (!held.errorsSorted) {
      held.errors.sort((a, b) => a.order - b.order);
      held.errorsSorted = true;
    }
    const start = after === undefined ? 0 : held.errors.findIndex((entry) => entry.order > after);
    const page = start < 0 ? [] : held.errors.slice(start, start + first);
    const last = page.at(-1);
    const more = start >= 0 && start + first < held.errors.length;
    return { items: page.map((entry) => entry.error), ...(more && last ? { next: last.order } : {}) };
  }

  async rowsOf(id: string, indexes: readonly number[]) {
    const held = this.held(id);
    return indexes.map((index) => held?.rows.get(index));
  }

  async sealedKey(id: string): Promise<string | undefined> {
    return this.held(id)?.sealedKey;
  }

  async claimIdempotencyKey(owner: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const name = `${owner}\u0000${key}`;
    const known = this.idempotency.get(name);
    if (known && known.expiresAt > this.now()) {
      return { status: 'seen', fingerprint: known.fingerprint, importId: known.importId };
    }
    this.idempotency.set(name, { fingerprint, expiresAt: this.now() + this.retentionMs });
    return { status: 'new' };
  }

  async settleIdempotencyKey(owner: string, key: string, importId: string): Promise<void> {
    const entry = this.idempotency.get(`${owner}\u0000${key}`);
    if (entry) Object.assign(entry, { importId, expiresAt: this.now() + this.retentionMs });
  }

  async releaseIdempotencyKey(owner: string, key: string): Promise<void> {
    this.idempotency.delete(`${owner}\u0000${key}`);
  }

  async countByState(): Promise<Readonly<Record<ImportState, number>>> {
    const counts = Object.fromEntries(IMPORT_STATES.map((state) => [state, 0])) as Record<ImportState, number>;
    for (const held of this.imports.values()) if (held.expiresAt > this.now()) counts[held.record.state]++;
    return counts;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}
