import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { BatchItemError } from '../batch/accounting.js';
import { isObject } from '../json.js';
import type { RecordKind } from '../upstream/graph8-api.js';
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
  type IdempotencyClaim,
  IMPORT_STATES,
  type ImportRecord,
  type ImportState,
  type ImportStore,
  ImportStoreUnavailable,
  type ImportsPage,
  type IncomingRow,
  type NewImport,
} from './import-model.js';
import { errorOrder, rowsPerSecond } from './import-progress.js';

/**
 * Imports in Redis (the README's "Imports in Redis" section is this file's
 * map). Every key of one import shares the hash tag {id}; the scripts below
 * make each step that must be atomic one Redis call: a chunk is claimed and
 * counted once, a cancel counts the unstarted chunks at once.
 */

const APPEND_LOCK_MS = 30_000;
const APPEND_LOCK_WAIT_MS = 20_000;
const PACE_WINDOW = 20;

const keysOf = (id: string) => {
  const base = `g8:import:{${id}}`;
  return {
    meta: base,
    rows: `${base}:rows`,
    items: `${base}:items`,
    keys: `${base}:keys`,
    edges: `${base}:edges`,
    chunkRows: `${base}:chunk-rows`,
    chunkDeps: `${base}:chunk-deps`,
    done: `${base}:done`,
    started: `${base}:started`,
    errors: `${base}:errors`,
    pace: `${base}:pace`,
    lock: `${base}:append-lock`,
  };
};
type ImportKeys = ReturnType<typeof keysOf>;

/** The keys that live and expire with an import (the lock expires on its own). */
const lifetimeKeys = (keys: ImportKeys) => [
  keys.meta,
  keys.rows,
  keys.items,
  keys.keys,
  keys.edges,
  keys.chunkRows,
  keys.chunkDeps,
  keys.done,
  keys.started,
  keys.errors,
  keys.pace,
];

const ownerIndex = (owner: string) => `g8:owner:${owner}:imports`;
/** Orders imports by creation across copies (scores in the owner indexes). */
const CREATION_SEQUENCE = 'g8:imports:sequence';
const stateIndex = (state: ImportState) => `g8:imports:state:${state}`;
const idempotencyKeyOf = (owner: string, key: string) => `g8:idempotency:${owner}:${key}`;
const STATE_INDEXES = IMPORT_STATES.map(stateIndex);

/**
 * Lua shared by the scripts: moves an import between the per-state indexes
 * (scored by expiry, +inf while it lives) and ends it when every chunk is counted.
 */
const LUA_HELPERS = `
local function index_state(meta, id, from, to, expires_at)
  if from then redis.call('ZREM', 'g8:imports:state:' .. from, id) end
  redis.call('ZADD', 'g8:imports:state:' .. to, expires_at, id)
end
local function finish(meta, lifetime, id, now, retention)
  local state = redis.call('HGET', meta, 'state')
  local final_state = state
  if state ~= 'CANCELLED' then
    local failed = tonumber(redis.call('HGET', meta, 'failed'))
    local written = tonumber(redis.call('HGET', meta, 'created')) + tonumber(redis.call('HGET', meta, 'updated'))
    if failed == 0 then final_state = 'SUCCEEDED' elseif written > 0 then final_state = 'PARTIAL' else final_state = 'FAILED' end
  end
  redis.call('HSET', meta, 'state', final_state, 'finishedAt', now)
  redis.call('HDEL', meta, 'sealedKey', 'expiresAt')
  index_state(meta, id, state, final_state, now + retention)
  for _, key in ipairs(lifetime) do redis.call('PEXPIRE', key, retention) end
end
`;

/** KEYS: meta, done, started, chunk-deps. ARGV: id, chunk, now. */
const CLAIM_CHUNK = `${LUA_HELPERS}
local meta, done, started, deps = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, chunk, now = ARGV[1], tonumber(ARGV[2]), ARGV[3]
if redis.call('EXISTS', meta) == 0 then return {'done', 0} end
local chunks = tonumber(redis.call('HGET', meta, 'chunks') or '0')
if chunk >= chunks or redis.call('GETBIT', done, chunk) == 1 then return {'done', 0} end
local before = redis.call('HGET', deps, ARGV[2])
if before then
  for earlier in string.gmatch(before, '%d+') do
    if redis.call('GETBIT', done, tonumber(earlier)) == 0 then return {'wait', 0} end
  end
end
redis.call('SETBIT', started, chunk, 1)
local state = redis.call('HGET', meta, 'state')
local began = 0
if state == 'QUEUED' then
  redis.call('HSET', meta, 'state', 'RUNNING', 'startedAt', now)
  index_state(meta, id, 'QUEUED', 'RUNNING', '+inf')
  began = 1
end
if state == 'CANCELLED' then return {'count-skipped', began} end
if redis.call('HGET', meta, 'stopped') == '1' then return {'fail-unsent', began} end
return {'send', began}
`;

/**
 * KEYS: meta, done, errors, rows, items, pace, then every lifetime key.
 * ARGV: id, chunk, created, updated, failed, skipped, now, retention,
 *       error count, (score, member) per error, written row count, rows..., then the chunk's items.
 */
const COUNT_CHUNK = `${LUA_HELPERS}
local meta, done, errors, rows, items, pace = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, chunk = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', meta) == 0 or redis.call('GETBIT', done, chunk) == 1 then return 0 end
redis.call('SETBIT', done, chunk, 1)
local created, updated, failed, skipped = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now, retention = tonumber(ARGV[7]), tonumber(ARGV[8])
redis.call('HINCRBY', meta, 'created', created)
redis.call('HINCRBY', meta, 'updated', updated)
redis.call('HINCRBY', meta, 'failed', failed)
redis.call('HINCRBY', meta, 'skipped', skipped)
local chunks_done = redis.call('HINCRBY', meta, 'chunksDone', 1)
local at = 9
local error_count = tonumber(ARGV[at]); at = at + 1
for _ = 1, error_count do
  redis.call('ZADD', errors, ARGV[at], ARGV[at + 1]); at = at + 2
end
local written = tonumber(ARGV[at]); at = at + 1
for _ = 1, written do redis.call('HDEL', rows, ARGV[at]); at = at + 1 end
while at <= #ARGV do redis.call('HDEL', items, ARGV[at]); at = at + 1 end
redis.call('LPUSH', pace, now .. ':' .. (created + updated + failed + skipped))
redis.call('LTRIM', pace, 0, ${PACE_WINDOW - 1})
if chunks_done >= tonumber(redis.call('HGET', meta, 'chunks')) then
  local lifetime = {}
  for i = 7, #KEYS do lifetime[#lifetime + 1] = KEYS[i] end
  finish(meta, lifetime, id, now, retention)
end
return 1
`;

/** KEYS: meta, done, started, chunk-rows, then every lifetime key. ARGV: id, now, retention. */
const CANCEL = `${LUA_HELPERS}
local meta, done, started, chunk_rows = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, now, retention = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HGET', meta, 'state')
if state ~= 'OPEN' and state ~= 'QUEUED' and state ~= 'RUNNING' then return 0 end
local lifetime = {}
for i = 5, #KEYS do lifetime[#lifetime + 1] = KEYS[i] end
redis.call('HSET', meta, 'state', 'CANCELLED')
index_state(meta, id, state, 'CANCELLED', '+inf')
if state == 'OPEN' then
  redis.call('HSET', meta, 'skipped', redis.call('HGET', meta, 'total'))
  finish(meta, lifetime, id, now, retention)
  return 1
end
local chunks = tonumber(redis.call('HGET', meta, 'chunks'))
local skipped, counted = 0, 0
for chunk = 0, chunks - 1 do
  if redis.call('GETBIT', started, chunk) == 0 and redis.call('GETBIT', done, chunk) == 0 then
    redis.call('SETBIT', done, chunk, 1)
    skipped = skipped + tonumber(redis.call('HGET', chunk_rows, tostring(chunk)) or '0')
    counted = counted + 1
  end
end
redis.call('HINCRBY', meta, 'skipped', skipped)
if redis.call('HINCRBY', meta, 'chunksDone', counted) >= chunks then finish(meta, lifetime, id, now, retention) end
return 1
`;

/** KEYS: items. ARGV: (item, row) pairs: appends ",row" to each item's row list. */
const APPEND_ITEM_ROWS = `
for i = 1, #ARGV, 2 do
  local rows = redis.call('HGET', KEYS[1], ARGV[i])
  redis.call('HSET', KEYS[1], ARGV[i], rows .. ',' .. ARGV[i + 1])
end
return 1
`;

/** KEYS: lock. ARGV: token. Releases the lock only if it is still ours. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface ImportScripts {
  claimChunk(...args: Array<string | number>): Promise<[string, number]>;
  countChunk(...args: Array<string | number>): Promise<number>;
  cancelImport(...args: Array<string | number>): Promise<number>;
  appendItemRows(...args: Array<string | number>): Promise<number>;
  releaseLock(...args: Array<string | number>): Promise<number>;
}

const NUMBER_FIELDS = [
  'listId',
  'total',
  'created',
  'updated',
  'failed',
  'skipped',
  'deduplicated',
  'chunks',
  'chunksDone',
  'createdAt',
] as const;

function recordOf(fields: Record<string, string>, pace: readonly string[]): ImportRecord | undefined {
  if (fields.id === undefined) return undefined;
  const numbers = Object.fromEntries(NUMBER_FIELDS.map((name) => [name, Number(fields[name] ?? 0)])) as Record<
    (typeof NUMBER_FIELDS)[number],
    number
  >;
  const speed = rowsPerSecond(
    pace.map((entry) => {
      const [at, rows] = entry.split(':');
      return { at: Number(at), rows: Number(rows) };
    }),
  );
  return {
    ...numbers,
    id: fields.id,
    owner: fields.owner ?? '',
    kind: fields.kind as RecordKind,
    state: fields.state as ImportState,
    ...(fields.startedAt ? { startedAt: Number(fields.startedAt) } : {}),
    ...(fields.finishedAt ? { finishedAt: Number(fields.finishedAt) } : {}),
    ...(speed === undefined ? {} : { rowsPerSecond: speed }),
  };
}

export class RedisImportStore implements ImportStore {
  private readonly redis: Redis & ImportScripts;

  /** `redis` fails fast when Redis is down (no offline queue, a command timeout): imports answer SERVICE_UNAVAILABLE. */
  constructor(
    redis: Redis,
    private readonly retentionMs: number,
  ) {
    redis.defineCommand('claimChunk', { numberOfKeys: 4, lua: CLAIM_CHUNK });
    redis.defineCommand('cancelImport', { lua: CANCEL });
    redis.defineCommand('countChunk', { lua: COUNT_CHUNK });
    redis.defineCommand('appendItemRows', { numberOfKeys: 1, lua: APPEND_ITEM_ROWS });
    redis.defineCommand('releaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
    this.redis = redis as Redis & ImportScripts;
  }

  /** Every store call: Redis errors (down, timed out) become ImportStoreUnavailable. */
  private async reach<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ImportStoreUnavailable || !isRedisFailure(error)) throw error;
      throw new ImportStoreUnavailable(`The import store (Redis) cannot be reached: ${(error as Error).message}`);
    }
  }

  private async read(id: string): Promise<ImportRecord | undefined> {
    const keys = keysOf(id);
    const [[, fields], [, pace]] = (await this.redis.multi().hgetall(keys.meta).lrange(keys.pace, 0, -1).exec()) as [
      [null, Record<string, string>],
      [null, string[]],
    ];
    return recordOf(fields, pace);
  }

  create(init: NewImport): Promise<ImportRecord> {
    return this.reach(async () => {
      const keys = keysOf(init.id);
      const expiresAt = init.createdAt + this.retentionMs;
      const sequence = await this.redis.incr(CREATION_SEQUENCE);
      await this.redis
        .multi()
        .hset(keys.meta, {
          id: init.id,
          owner: init.owner,
          kind: init.kind,
          listId: init.listId,
          state: 'OPEN',
          createdAt: init.createdAt,
          expiresAt,
          total: 0,
          created: 0,
          updated: 0,
          failed: 0,
          skipped: 0,
          deduplicated: 0,
          chunks: 0,
          chunksDone: 0,
          items: 0,
          ...(init.sealedKey ? { sealedKey: init.sealedKey } : {}),
        })
        .pexpireat(keys.meta, expiresAt)
        .zadd(ownerIndex(init.owner), sequence, init.id)
        .zadd(stateIndex('OPEN'), expiresAt, init.id)
        .exec();
      return (await this.read(init.id)) as ImportRecord;
    });
  }

  get(id: string): Promise<ImportRecord | undefined> {
    return this.reach(() => this.read(id));
  }

  listOwned(
    owner: string,
    first: number,
    after: string | undefined,
    state: ImportState | undefined,
  ): Promise<ImportsPage> {
    return this.reach(async () => {
      const index = ownerIndex(owner);
      const from = after === undefined ? 0 : ((await this.redis.zrevrank(index, after)) ?? -1) + 1;
      const records: ImportRecord[] = [];
      const batch = Math.max(first + 1, 50);
      for (let start = from; records.length <= first; start += batch) {
        const ids = await this.redis.zrevrange(index, start, start + batch - 1);
        if (ids.length === 0) break;
        for (const id of ids) {
          const record = await this.read(id);
          // An import past its retention is gone: so is its place in the index.
          if (!record) await this.redis.zrem(index, id);
          else if (state === undefined || record.state === state) records.push(record);
        }
      }
      return { records: records.slice(0, first), hasNextPage: records.length > first };
    });
  }

  append(
    id: string,
    rowCount: number,
    slices: AsyncIterable<readonly IncomingRow[]>,
    maxRows: number,
  ): Promise<AppendOutcome> {
    return this.reach(async () => {
      const keys = keysOf(id);
      return this.whileLocked(keys, async () => {
        const record = await this.read(id);
        if (!record) throw new Error(`import ${id} is gone`);
        if (record.state !== 'OPEN') return { ok: false, reason: 'not-open', record };
        if (record.total + rowCount > maxRows) return { ok: false, reason: 'too-many-rows', record };
        const expiresAt = Number(await this.redis.hget(keys.meta, 'expiresAt'));
        let total = record.total;
        let items = Number(await this.redis.hget(keys.meta, 'items'));
        for await (const slice of slices) {
          const plan = planAppend(slice, total, items, await this.keyOwners(keys, slice));
          await this.applyAppend(keys, plan, expiresAt);
          total += slice.length;
          items = plan.items;
        }
        return { ok: true, record: (await this.read(id)) as ImportRecord };
      });
    });
  }

  /** What the import already knows of the keys a slice carries. */
  private async keyOwners(keys: ImportKeys, slice: readonly IncomingRow[]): Promise<KeyOwners> {
    const distinct = [...new Set(slice.flatMap((row) => row.keys))];
    const owners: KeyOwners = { primary: new Map(), secondary: new Map() };
    if (distinct.length === 0) return owners;
    const found = await this.redis.hmget(keys.keys, ...distinct.flatMap((key) => [`p:${key}`, `s:${key}`]));
    distinct.forEach((key, position) => {
      const primary = found[position * 2];
      const secondary = found[position * 2 + 1];
      if (primary != null) owners.primary.set(key, Number(primary));
      if (secondary != null) owners.secondary.set(key, Number(secondary));
    });
    return owners;
  }

  private async applyAppend(keys: ImportKeys, plan: AppendPlan, expiresAt: number): Promise<void> {
    const transaction = this.redis.multi();
    // Maps, not objects: a thousand new property names a slice cost twenty times as much, and linger as garbage.
    transaction.hset(keys.rows, new Map(plan.rows.map((row) => [row.index, JSON.stringify(row.input)])));
    const opened = plan.rows.filter((row) => row.opensItem);
    if (opened.length > 0) transaction.hset(keys.items, new Map(opened.map((row) => [row.item, row.index])));
    const folded = plan.rows.filter((row) => !row.opensItem).flatMap((row) => [row.item, row.index]);
    // The scripts defined on the connection are on its transactions too.
    if (folded.length > 0) (transaction as unknown as ImportScripts).appendItemRows(keys.items, ...folded);
    const owned = [
      ...plan.primaryKeys.map(([key, item]) => [`p:${key}`, item] as const),
      ...plan.secondaryKeys.map(([key, item]) => [`s:${key}`, item] as const),
    ];
    if (owned.length > 0) transaction.hset(keys.keys, new Map(owned));
    if (plan.edges.length > 0) transaction.rpush(keys.edges, ...plan.edges.map(([a, b]) => `${a},${b}`));
    for (const [chunk, rows] of plan.rowsPerChunk) transaction.hincrby(keys.chunkRows, String(chunk), rows);
    transaction
      .hincrby(keys.meta, 'total', plan.rows.length)
      .hincrby(keys.meta, 'deduplicated', plan.deduplicated)
      .hset(keys.meta, 'items', plan.items);
    for (const key of [keys.rows, keys.items, keys.keys, keys.edges, keys.chunkRows])
      transaction.pexpireat(key, expiresAt);
    await transaction.exec();
  }

  /** Runs `work` holding the import's append lock (renewed while held): appends and the start take turns. */
  private async whileLocked<T>(keys: ImportKeys, work: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const giveUpAt = Date.now() + APPEND_LOCK_WAIT_MS;
    while ((await this.redis.set(keys.lock, token, 'PX', APPEND_LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > giveUpAt) throw new ImportStoreUnavailable('Another append to this import is still running');
      await sleep(50);
    }
    const renewal = setInterval(() => {
      void this.redis.pexpire(keys.lock, APPEND_LOCK_MS).catch(() => undefined);
    }, APPEND_LOCK_MS / 3);
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.redis.releaseLock(keys.lock, token).catch(() => undefined);
    }
  }

  start(id: string): Promise<ImportRecord | undefined> {
    return this.reach(async () => {
      const keys = keysOf(id);
      if (!(await this.redis.exists(keys.meta))) return undefined;
      return this.whileLocked(keys, async () => {
        const record = (await this.read(id)) as ImportRecord;
        if (record.state !== 'OPEN') return record;
        const items = Number(await this.redis.hget(keys.meta, 'items'));
        const edges = (await this.redis.lrange(keys.edges, 0, -1)).map(
          (edge) => edge.split(',').map(Number) as [number, number],
        );
        const dependencies = chunkDependencies(edges);
        const now = Date.now();
        const transaction = this.redis.multi();
        if (dependencies.size > 0) {
          transaction.hset(
            keys.chunkDeps,
            Object.fromEntries([...dependencies].map(([chunk, before]) => [chunk, before.join(',')])),
          );
        }
        // UNLINK: freeing a million-entry hash in the background, where DEL held Redis for up to seconds.
        transaction.unlink(keys.keys, keys.edges).hdel(keys.meta, 'expiresAt').zrem(stateIndex('OPEN'), id);
        for (const key of lifetimeKeys(keys)) transaction.persist(key);
        if (record.total === 0) {
          transaction
            .hset(keys.meta, { state: 'SUCCEEDED', finishedAt: now, chunks: 0 })
            .zadd(stateIndex('SUCCEEDED'), now + this.retentionMs, id);
          for (const key of lifetimeKeys(keys)) transaction.pexpire(key, this.retentionMs);
        } else {
          transaction
            .hset(keys.meta, { state: 'QUEUED', chunks: chunkCount(items) })
            .zadd(stateIndex('QUEUED'), '+inf', id);
        }
        await transaction.exec();
        return this.read(id);
      });
    });
  }

  cancel(id: string): Promise<ImportRecord | undefined> {
    return this.reach(async () => {
      const keys = keysOf(id);
      await this.redis.cancelImport(
        4 + lifetimeKeys(keys).length,
        keys.meta,
        keys.done,
        keys.started,
        keys.chunkRows,
        ...lifetimeKeys(keys),
        id,
        Date.now(),
        this.retentionMs,
      );
      return this.read(id);
    });
  }

  claimChunk(id: string, chunk: number): Promise<ChunkClaim> {
    return this.reach(async () => {
      const keys = keysOf(id);
      const [action, began] = await this.redis.claimChunk(
        keys.meta,
        keys.done,
        keys.started,
        keys.chunkDeps,
        id,
        chunk,
        Date.now(),
      );
      if (action === 'done' || action === 'wait') return { action };
      const record = (await this.read(id)) as ImportRecord;
      const itemNumbers = Array.from(
        {
          length: Math.max(
            0,
            Math.min(CHUNK_SIZE, Number(await this.redis.hget(keys.meta, 'items')) - chunk * CHUNK_SIZE),
          ),
        },
        (_, offset) => chunk * CHUNK_SIZE + offset,
      );
      const itemRows = itemNumbers.length > 0 ? await this.redis.hmget(keys.items, ...itemNumbers.map(String)) : [];
      const rowLists = itemRows.map((rows) => (rows ?? '').split(',').filter(Boolean).map(Number));
      const allRows = rowLists.flat();
      const stored = allRows.length > 0 ? await this.redis.hmget(keys.rows, ...allRows.map(String)) : [];
      const inputOf = new Map(allRows.map((row, position) => [row, parseRow(stored[position])]));
      const items: ChunkItem[] = rowLists.map((rows) => ({ rows, inputs: rows.map((row) => inputOf.get(row) ?? {}) }));
      return { action: action as 'send' | 'fail-unsent' | 'count-skipped', record, items, began: began === 1 };
    });
  }

  countChunk(id: string, chunk: number, outcome: ChunkOutcome): Promise<ImportRecord | undefined> {
    return this.reach(async () => {
      const keys = keysOf(id);
      const lifetime = lifetimeKeys(keys);
      const items = Array.from({ length: CHUNK_SIZE }, (_, offset) => chunk * CHUNK_SIZE + offset);
      const counted = await this.redis.countChunk(
        6 + lifetime.length,
        keys.meta,
        keys.done,
        keys.errors,
        keys.rows,
        keys.items,
        keys.pace,
        ...lifetime,
        id,
        chunk,
        outcome.created,
        outcome.updated,
        outcome.failed,
        outcome.skipped,
        Date.now(),
        this.retentionMs,
        outcome.errors.length,
        ...outcome.errors.flatMap((error, position) => [
          errorOrder(error.index, chunk, position),
          `${chunk}:${position}:${JSON.stringify(error)}`,
        ]),
        outcome.writtenRows.length,
        ...outcome.writtenRows,
        ...items,
      );
      return counted === 1 ? this.read(id) : undefined;
    });
  }

  stopSending(id: string): Promise<void> {
    return this.reach(async () => {
      await this.redis.hset(keysOf(id).meta, 'stopped', 1);
    });
  }

  errorsPage(id: string, first: number, after: number | undefined): Promise<ErrorsPage> {
    return this.reach(async () => {
      const entries = await this.redis.zrangebyscore(
        keysOf(id).errors,
        after === undefined ? '-inf' : `(${after}`,
        '+inf',
        'WITHSCORES',
        'LIMIT',
        0,
        first + 1,
      );
      const items: BatchItemError[] = [];
      let lastScore: number | undefined;
      for (let at = 0; at < entries.length && items.length < first; at += 2) {
        const member = entries[at] as string;
        items.push(JSON.parse(member.slice(member.indexOf(':', member.indexOf(':') + 1) + 1)) as BatchItemError);
        lastScore = Number(entries[at + 1]);
      }
      const more = entries.length > first * 2;
      return { items, ...(more && lastScore !== undefined ? { next: lastScore } : {}) };
    });
  }

  rowsOf(id: string, indexes: readonly number[]) {
    return this.reach(async () => {
      if (indexes.length === 0) return [];
      const stored = await this.redis.hmget(keysOf(id).rows, ...indexes.map(String));
      return stored.map((row) => (row == null ? undefined : parseRow(row)));
    });
  }

  sealedKey(id: string): Promise<string | undefined> {
    return this.reach(async () => (await this.redis.hget(keysOf(id).meta, 'sealedKey')) ?? undefined);
  }

  countByState(): Promise<Readonly<Record<ImportState, number>>> {
    return this.reach(async () => {
      const now = Date.now();
      const transaction = this.redis.multi();
      for (const index of STATE_INDEXES) transaction.zremrangebyscore(index, '-inf', now).zcard(index);
      const results = (await transaction.exec()) ?? [];
      return Object.fromEntries(
        IMPORT_STATES.map((state, position) => [state, Number(results[position * 2 + 1]?.[1] ?? 0)]),
      ) as Record<ImportState, number>;
    });
  }

  claimIdempotencyKey(owner: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    return this.reach(async () => {
      const name = idempotencyKeyOf(owner, key);
      const [[, claimed], , [, known]] = (await this.redis
        .multi()
        .hsetnx(name, 'fingerprint', fingerprint)
        .pexpire(name, this.retentionMs, 'NX')
        .hmget(name, 'fingerprint', 'importId')
        .exec()) as [[null, number], unknown, [null, Array<string | null>]];
      if (claimed === 1) return { status: 'new' };
      return { status: 'seen', fingerprint: known[0] ?? '', importId: known[1] ?? undefined };
    });
  }

  settleIdempotencyKey(owner: string, key: string, importId: string): Promise<void> {
    return this.reach(async () => {
      const name = idempotencyKeyOf(owner, key);
      await this.redis.multi().hset(name, 'importId', importId).pexpire(name, this.retentionMs).exec();
    });
  }

  releaseIdempotencyKey(owner: string, key: string): Promise<void> {
    return this.reach(async () => {
      await this.redis.del(idempotencyKeyOf(owner, key));
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function parseRow(stored: string | null | undefined): Readonly<Record<string, unknown>> {
  if (stored == null) return {};
  const value: unknown = JSON.parse(stored);
  return isObject(value) ? value : {};
}

/** Errors of the connection rather than of a command we got wrong. */
function isRedisFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|Command timed out|ETIMEDOUT|EPIPE|getaddrinfo|MaxRetriesPerRequest/i.test(
    message,
  );
}
