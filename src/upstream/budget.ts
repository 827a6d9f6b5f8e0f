import { RateLimitPacer, upstreamCount } from './pacing.js';
import { RetryBudget } from './retry-policy.js';

/**
 * The upstream's rate budget: before each attempt (retries included) a call
 * asks for a place in the current Unix second of its key's budget, the windows
 * X-RateLimit-Reset names; after each answer the budget learns when the key's
 * window is spent. This file is the per-process budget; shared-budget.ts keeps
 * the same rules in Redis for every copy.
 */

export type CallPriority = 'interactive' | 'import';

export interface BudgetLimit {
  /** Calls per second per upstream key (UPSTREAM_RATE_LIMIT). */
  readonly perSecond: number;
  /** Most of a second's calls imports take before late in it (IMPORT_RATE_SHARE). */
  readonly importShare: number;
}

export interface UpstreamBudget {
  /** 0 when a call with this key may be sent now (and it is counted); else how long to wait before asking again. */
  admit(apiKey: string, priority: CallPriority): Promise<number>;
  /** What an answer said: a spent window (Remaining: 0, or a 429's Retry-After) pauses every call with the key. */
  observe(apiKey: string, status: number, headers: Readonly<Record<string, string | string[] | undefined>>): void;
  /** Takes the tokens for one retry; false when the retry budget is spent. */
  takeRetry(afterTimeout: boolean): Promise<boolean>;
  recordSuccess(): void;
  close(): Promise<void>;
}

/** Nothing is sent in the last this-many milliseconds of a second: it could reach the upstream in the next. */
export const SECOND_GUARD_MS = 50;
/** From this point in a second, imports may take what interactive calls left, unless one is waiting. */
export const IMPORT_RELEASE_MS = 700;

/**
 * One key's second: its calls, those of imports among them, and whether an
 * interactive call is waiting (turned away in it, or in the second before).
 */
export interface SecondWindow {
  second: number;
  used: number;
  imports: number;
  interactiveWaiting: boolean;
  /** An interactive call was turned away in this very second: the next one starts with it waiting. */
  interactiveTurnedAway: boolean;
}

/**
 * The admission rule (the Lua script in shared-budget.ts is the same rule):
 * 0 and the call counted, or the wait before asking again. Interactive calls
 * take any place left; imports take at most their share until late in the
 * second, and the rest then only when no interactive call is waiting. While
 * one waits, the share is rounded down even to none, so that at a limit of 1
 * a mutation is not left to race the import workers at every second.
 */
export function admitInWindow(
  window: SecondWindow,
  limit: BudgetLimit,
  priority: CallPriority,
  msIntoSecond: number,
): number {
  const toNextSecond = 1000 - msIntoSecond;
  if (msIntoSecond >= 1000 - SECOND_GUARD_MS) return toNextSecond;
  if (window.used >= limit.perSecond) {
    if (priority === 'interactive') {
      window.interactiveWaiting = true;
      window.interactiveTurnedAway = true;
    }
    return toNextSecond;
  }
  if (priority === 'import') {
    const exactShare = Math.floor(limit.perSecond * limit.importShare);
    const share = window.interactiveWaiting ? exactShare : Math.max(1, exactShare);
    if (window.imports >= share) {
      if (window.interactiveWaiting) return toNextSecond;
      if (msIntoSecond < IMPORT_RELEASE_MS) return IMPORT_RELEASE_MS - msIntoSecond;
    }
    window.imports++;
  }
  window.used++;
  return 0;
}

/** The budget of one process: without REDIS_URL, or while Redis is away. */
export class LocalBudget implements UpstreamBudget {
  private readonly pacer = new RateLimitPacer();
  private readonly windows = new Map<string, SecondWindow>();
  private heldUntil = 0;

  constructor(
    private limit: BudgetLimit | undefined,
    private readonly clock: () => number = Date.now,
    private readonly retries = new RetryBudget(),
  ) {}

  /** While Redis is away: this copy's share of the limit, the copies that shared it last known. */
  divideAmong(copies: number, limit: BudgetLimit | undefined): void {
    this.limit =
      limit === undefined ? undefined : { ...limit, perSecond: Math.max(1, Math.floor(limit.perSecond / copies)) };
  }

  private windowOf(apiKey: string, now: number): SecondWindow {
    const second = Math.floor(now / 1000);
    const window = this.windows.get(apiKey);
    if (window?.second === second) return window;
    const waiting = window?.second === second - 1 && window.interactiveTurnedAway;
    const fresh = { second, used: 0, imports: 0, interactiveWaiting: waiting, interactiveTurnedAway: false };
    this.windows.set(apiKey, fresh);
    return fresh;
  }

  async admit(apiKey: string, priority: CallPriority): Promise<number> {
    const now = this.clock();
    if (now < this.heldUntil) return this.heldUntil - now;
    const paused = this.pacer.delayMs(apiKey, now);
    if (paused > 0 || this.limit === undefined) return paused;
    return admitInWindow(this.windowOf(apiKey, now), this.limit, priority, now % 1000);
  }

  /** Its calls per second with each key while Redis is away; 0 without a limit. */
  get perSecond(): number {
    return this.limit?.perSecond ?? 0;
  }

  /** This second's windows, for the shared budget to count when this copy comes back to it. */
  callsThisSecond(): Array<SecondWindow & { apiKey: string }> {
    const second = Math.floor(this.clock() / 1000);
    return [...this.windows]
      .filter(([, window]) => window.second === second)
      .map(([apiKey, window]) => ({ ...window, apiKey }));
  }

  observe(apiKey: string, status: number, headers: Readonly<Record<string, string | string[] | undefined>>): void {
    const now = this.clock();
    this.pacer.observe(apiKey, headers, now, status);
    // Calls the upstream counted that this budget did not (late arrivals, other users of the key) count here too.
    const counted = this.limit === undefined ? undefined : upstreamCount(headers, now);
    const window = this.windows.get(apiKey);
    if (counted && window?.second === counted.second) window.used = Math.max(window.used, counted.used);
  }

  /**
   * Sends nothing with any key until the next whole second: taking over from
   * the shared budget mid-second, this copy cannot know what the others sent in it.
   */
  holdRestOfSecond(): void {
    const now = this.clock();
    this.heldUntil = now - (now % 1000) + 1000;
  }

  async takeRetry(afterTimeout: boolean): Promise<boolean> {
    return this.retries.tryAcquire(afterTimeout);
  }

  recordSuccess(): void {
    this.retries.recordSuccess();
  }

  async close(): Promise<void> {}
}
