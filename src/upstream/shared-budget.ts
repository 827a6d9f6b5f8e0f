import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { readyOrAfter } from '../redis-ready.js';
import {
  type BudgetLimit,
  type CallPriority,
  IMPORT_RELEASE_MS,
  LocalBudget,
  SECOND_GUARD_MS,
  type UpstreamBudget,
} from './budget.js';
import { upstreamCount, windowAfter } from './pacing.js';
import { RETRY_TOKENS } from './retry-policy.js';

/**
 * The rate budget shared by every copy through Redis: one window per upstream
 * key and Unix second (by Redis's clock, the same for every copy), one pause
 * per key, one retry bucket. A small Lua script, because the limiters at hand
 * do not fit: rate-limiter-flexible's windows start at a key's first call, not
 * on the whole seconds graph8 counts in, and BullMQ's limiter paces only the
 * import queue, not mutations. When Redis cannot be reached, each copy falls
 * back to its own budget (budget.ts) until Redis answers again.
 */

/**
 * A copy keeps to its own budget until Redis has answered it for this long,
 * telling Redis so every ALONE_PROBE_MS: by then every other copy on its own
 * budget (each reconnecting every RECONNECT_MS) has said so too.
 */
const FALLBACK_MS = 5_000;
const ALONE_PROBE_MS = 250;
const RECONNECT_MS = 250;
/** How long a copy's word that it keeps to its own budget holds, unless it says it again or comes back. */
const ALONE_LEASE_MS = 10_000;
const ALONE_KEY = 'g8:budget:alone';
const ALONE_SHARES_KEY = 'g8:budget:alone-shares';
/** How often a copy says it is alive, and how long it counts among the copies after its last word. */
const HEARTBEAT_MS = 2_000;
const COPY_LIFETIME_MS = 10_000;
const COPIES_KEY = 'g8:budget:copies';
/** Successes earn retry tokens back in one call this often, not one call each. */
const SUCCESS_FLUSH_MS = 250;
const RETRY_TOKENS_KEY = 'g8:budget:retry-tokens';

/**
 * The same rule as admitInWindow (budget.ts), in one atomic step for every
 * copy, with the limit less the shares of the copies on their own budgets.
 * KEYS: the pause, the copies on their own, their shares.
 */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local resume = tonumber(redis.call('GET', KEYS[1]) or '0')
if resume > now then return resume - now end
local limit = tonumber(ARGV[2])
if limit == 0 then return 0 end
local alone = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')
if #alone > 0 then
  for _, share in ipairs(redis.call('HMGET', KEYS[3], unpack(alone))) do limit = limit - (tonumber(share) or 0) end
end
local second = math.floor(now / 1000)
local ms = now - second * 1000
local to_next = 1000 - ms
if ms >= 1000 - tonumber(ARGV[5]) then return to_next end
local window = ARGV[1] .. second
local used = tonumber(redis.call('HGET', window, 'used') or '0')
if used >= limit then
  if ARGV[4] == 'interactive' then
    -- Waiting in this second, and so still in the next one.
    local next_window = ARGV[1] .. (second + 1)
    redis.call('HSET', window, 'waiting', 1)
    redis.call('HSET', next_window, 'waiting', 1)
    redis.call('PEXPIRE', window, 3000)
    redis.call('PEXPIRE', next_window, 3000)
  end
  return to_next
end
if ARGV[4] == 'import' then
  local waiting = redis.call('HEXISTS', window, 'waiting') == 1
  local share = math.floor(limit * tonumber(ARGV[3]))
  if not waiting then share = math.max(1, share) end
  if tonumber(redis.call('HGET', window, 'imports') or '0') >= share then
    if waiting then return to_next end
    local release = tonumber(ARGV[6])
    if ms < release then return release - ms end
  end
  redis.call('HINCRBY', window, 'imports', 1)
end
redis.call('HINCRBY', window, 'used', 1)
redis.call('PEXPIRE', window, 3000)
return 0
`;

/** KEYS: the pause. ARGV: resume at (epoch ms). Keeps the later of two pauses. */
const PAUSE = `
local resume = tonumber(ARGV[1])
if resume > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], resume, 'PXAT', resume + 1000)
end
return 1
`;

/** ARGV: the window's key, the upstream's count of it. Raises the window's count to the upstream's. */
const RAISE_COUNT = `
local used = tonumber(redis.call('HGET', ARGV[1], 'used') or '0')
if tonumber(ARGV[2]) > used then
  redis.call('HSET', ARGV[1], 'used', ARGV[2])
  redis.call('PEXPIRE', ARGV[1], 3000)
end
return 1
`;

/** KEYS: the copies on their own, their shares. ARGV: this copy, its lease's end (epoch ms), its share. */
const ANNOUNCE_ALONE = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2] - ${ALONE_LEASE_MS})
if #expired > 0 then
  redis.call('ZREM', KEYS[1], unpack(expired))
  redis.call('HDEL', KEYS[2], unpack(expired))
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`;

/**
 * KEYS: the copies on their own, their shares. ARGV: this copy, then for each
 * key it called this second: the window, its calls, its imports' calls. In one
 * step the copy's share stops being set aside and what it sent counts instead.
 */
const REJOIN = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
for i = 2, #ARGV, 3 do
  redis.call('HINCRBY', ARGV[i], 'used', ARGV[i + 1])
  redis.call('HINCRBY', ARGV[i], 'imports', ARGV[i + 2])
  redis.call('PEXPIRE', ARGV[i], 3000)
end
return 1
`;

/** KEYS: the bucket. ARGV: capacity, cost. */
const TAKE_TOKENS = `
local tokens = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tokens < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], tokens - tonumber(ARGV[2]))
return 1
`;

/** KEYS: the bucket. ARGV: capacity, tokens earned. */
const GIVE_TOKENS = `
local tokens = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
redis.call('SET', KEYS[1], math.min(tonumber(ARGV[1]), tokens + tonumber(ARGV[2])))
return 1
`;

interface BudgetScripts {
  admitCall(pause: string, alone: string, shares: string, ...args: Array<string | number>): Promise<number>;
  announceAlone(alone: string, shares: string, copyId: string, leaseEnd: number, share: number): Promise<number>;
  rejoin(alone: string, shares: string, copyId: string, ...windows: Array<string | number>): Promise<number>;
  pauseKey(pause: string, resumeAt: number): Promise<number>;
  raiseCount(window: string, used: number): Promise<number>;
  takeTokens(bucket: string, capacity: number, cost: number): Promise<number>;
  giveTokens(bucket: string, capacity: number, earned: number): Promise<number>;
}

/** A key's name in Redis: never the key itself. */
const keyId = (apiKey: string) => createHash('sha256').update(apiKey).digest('base64url').slice(0, 22);
/** The key's pause and the prefix of its windows (one per Unix second). */
function budgetKeys(apiKey: string): { pause: string; windowPrefix: string } {
  const id = keyId(apiKey);
  return { pause: `g8:budget:{${id}}:pause`, windowPrefix: `g8:budget:{${id}}:window:` };
}

export class SharedBudget implements UpstreamBudget {
  private readonly redis: Redis & BudgetScripts;
  private readonly local: LocalBudget;
  /** On its own budget: from the moment Redis failed this copy until it comes back. */
  private alone = false;
  /** The earliest it comes back: FALLBACK_MS after Redis last failed it. */
  private fallbackUntil = 0;
  private successes = 0;
  private readonly timers: NodeJS.Timeout[];
  private readonly copyId = randomUUID();

  /** `redis` must fail fast (no offline queue, a short command timeout): a slow budget would hold every call. */
  constructor(
    redis: Redis,
    private readonly limit: BudgetLimit | undefined,
    private readonly onSharing: (shared: boolean) => void,
  ) {
    redis.defineCommand('admitCall', { numberOfKeys: 3, lua: ADMIT });
    redis.defineCommand('announceAlone', { numberOfKeys: 2, lua: ANNOUNCE_ALONE });
    redis.defineCommand('rejoin', { numberOfKeys: 2, lua: REJOIN });
    redis.defineCommand('pauseKey', { numberOfKeys: 1, lua: PAUSE });
    redis.defineCommand('raiseCount', { numberOfKeys: 0, lua: RAISE_COUNT });
    redis.defineCommand('takeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS });
    redis.defineCommand('giveTokens', { numberOfKeys: 1, lua: GIVE_TOKENS });
    this.redis = redis as Redis & BudgetScripts;
    this.local = new LocalBudget(limit);
    this.timers = [
      setInterval(() => this.flushSuccesses(), SUCCESS_FLUSH_MS).unref(),
      setInterval(() => void this.beat(), HEARTBEAT_MS).unref(),
      setInterval(() => void this.probe(), ALONE_PROBE_MS).unref(),
    ];
    void this.beat();
    this.onSharing(true);
  }

  /**
   * Says this copy is alive and learns how many are: should Redis go away,
   * each copy keeps to its share of the limit rather than all of it. Also how
   * an idle copy finds out that Redis went away.
   */
  private async beat(): Promise<void> {
    try {
      const now = Date.now();
      const [, , [, copies]] = (await this.redis
        .multi()
        .zadd(COPIES_KEY, now, this.copyId)
        .zremrangebyscore(COPIES_KEY, '-inf', now - COPY_LIFETIME_MS)
        .zcard(COPIES_KEY)
        .exec()) as [unknown, unknown, [null, number]];
      this.local.divideAmong(Math.max(1, copies), this.limit);
    } catch {
      this.fellBack();
    }
  }

  private fellBack(): void {
    this.fallbackUntil = Date.now() + FALLBACK_MS;
    if (this.alone) return;
    this.alone = true;
    // Taking over mid-second, this copy cannot know what the others sent in it.
    this.local.holdRestOfSecond();
    this.onSharing(false);
    void this.probe();
  }

  /**
   * While on its own budget: tells Redis so, for the copies still sharing it
   * to set this copy's share aside (a Redis that answered some copies late
   * leaves the others sharing), and comes back once Redis has answered for
   * FALLBACK_MS.
   */
  private async probe(): Promise<void> {
    if (!this.alone) return;
    try {
      const leaseEnd = Date.now() + ALONE_LEASE_MS;
      await this.redis.announceAlone(ALONE_KEY, ALONE_SHARES_KEY, this.copyId, leaseEnd, this.local.perSecond);
    } catch {
      this.fellBack();
      return;
    }
    if (this.alone && Date.now() >= this.fallbackUntil) this.comeBack();
  }

  /** This second's calls move to the shared window as this copy's share stops being set aside, in one step. */
  private comeBack(): void {
    const windows = this.local
      .callsThisSecond()
      .flatMap(({ apiKey, second, used, imports }) => [`${budgetKeys(apiKey).windowPrefix}${second}`, used, imports]);
    // Calls from here ask Redis after the rejoin, on the same connection.
    this.alone = false;
    this.onSharing(true);
    this.redis.rejoin(ALONE_KEY, ALONE_SHARES_KEY, this.copyId, ...windows).catch(() => this.fellBack());
  }

  /** Runs `shared` against Redis, or `alone` on this copy's own budget while Redis is away. */
  private async either<T>(shared: () => Promise<T>, alone: () => Promise<T>): Promise<T> {
    if (this.alone) return alone();
    try {
      return await shared();
    } catch {
      this.fellBack();
      return alone();
    }
  }

  admit(apiKey: string, priority: CallPriority): Promise<number> {
    const { pause, windowPrefix } = budgetKeys(apiKey);
    return this.either(
      () =>
        this.redis.admitCall(
          pause,
          ALONE_KEY,
          ALONE_SHARES_KEY,
          windowPrefix,
          this.limit?.perSecond ?? 0,
          this.limit?.importShare ?? 1,
          priority,
          SECOND_GUARD_MS,
          IMPORT_RELEASE_MS,
        ),
      () => this.local.admit(apiKey, priority),
    );
  }

  observe(apiKey: string, status: number, headers: Readonly<Record<string, string | string[] | undefined>>): void {
    this.local.observe(apiKey, status, headers);
    if (this.alone) return;
    const { pause, windowPrefix } = budgetKeys(apiKey);
    const fellBack = () => this.fellBack();
    const window = windowAfter(status, headers, Date.now());
    // Every copy's calls with the key wait until then; this copy's own pause holds meanwhile.
    if (typeof window === 'number') this.redis.pauseKey(pause, window).catch(fellBack);
    // Calls the upstream counted that the budget did not (late arrivals, other users of the key) count here too.
    const counted = this.limit === undefined ? undefined : upstreamCount(headers, Date.now());
    if (counted) this.redis.raiseCount(`${windowPrefix}${counted.second}`, counted.used).catch(fellBack);
  }

  takeRetry(afterTimeout: boolean): Promise<boolean> {
    const cost = afterTimeout ? RETRY_TOKENS.timeoutRetryCost : RETRY_TOKENS.retryCost;
    return this.either(
      async () => (await this.redis.takeTokens(RETRY_TOKENS_KEY, RETRY_TOKENS.capacity, cost)) === 1,
      () => this.local.takeRetry(afterTimeout),
    );
  }

  recordSuccess(): void {
    this.successes++;
    this.local.recordSuccess();
  }

  private flushSuccesses(): void {
    if (this.successes === 0 || this.alone) return;
    const earned = this.successes;
    this.successes = 0;
    this.redis.giveTokens(RETRY_TOKENS_KEY, RETRY_TOKENS.capacity, earned).catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.redis
      .multi()
      .zrem(COPIES_KEY, this.copyId)
      .zrem(ALONE_KEY, this.copyId)
      .hdel(ALONE_SHARES_KEY, this.copyId)
      .exec()
      .catch(() => undefined);
    this.redis.disconnect();
  }
}

/** How long a start waits for Redis before its copy begins on its own budget. */
const CONNECT_WAIT_MS = 2_000;

/**
 * A maker of the shared budget on its own Redis connection, which fails fast
 * so that a slow Redis never holds a call; it waits for the connection first,
 * so that the first calls do not fall back.
 */
export async function sharedBudgetMaker(
  redisUrl: string,
  limit: BudgetLimit | undefined,
): Promise<(onSharing: (shared: boolean) => void) => SharedBudget> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => RECONNECT_MS,
  });
  // Failures show as the fallback's one log line; ioredis keeps reconnecting meanwhile.
  redis.on('error', () => undefined);
  await readyOrAfter(redis, CONNECT_WAIT_MS);
  return (onSharing) => new SharedBudget(redis, limit, onSharing);
}
