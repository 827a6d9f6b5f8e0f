/** Which upstream answers are worth another attempt, and how long to wait before it. */

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
/** A `Retry-After` longer than this fails at once instead of holding the caller. */
export const MAX_RETRY_AFTER_SECONDS = 10;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 10_000;

/** Exponential backoff with full jitter: a random wait up to base * 2^(retry-1), capped. */
export function backoffDelayMs(retryNumber: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retryNumber - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** The retry token bucket's sizes, as in the AWS SDKs' standard retry mode. */
export const RETRY_TOKENS = { capacity: 500, retryCost: 5, timeoutRetryCost: 10 } as const;

/**
 * A retry token bucket per upstream, as in the AWS SDKs' standard retry mode:
 * retries spend tokens, successes earn a little back, so an outage is not
 * multiplied by every caller's retries.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    private readonly capacity: number = RETRY_TOKENS.capacity,
    private readonly retryCost: number = RETRY_TOKENS.retryCost,
    private readonly timeoutRetryCost: number = RETRY_TOKENS.timeoutRetryCost,
  ) {
    this.tokens = capacity;
  }

  /** Takes the tokens for one retry; false when the budget is spent. */
  tryAcquire(afterTimeout: boolean): boolean {
    const cost = afterTimeout ? this.timeoutRetryCost : this.retryCost;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  recordSuccess(): void {
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  get available(): number {
    return this.tokens;
  }
}
