import { firstHeader } from './headers.js';
import { parseRetryAfter } from './retry-policy.js';

/** Longest pause a (possibly bogus) `X-RateLimit-Reset` or `Retry-After` can impose. */
const MAX_PAUSE_MS = 60_000;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** When the window `X-RateLimit-Reset` names resets, in epoch milliseconds; undefined when unreadable. */
function resetAt(headers: Headers, nowMs: number): number | undefined {
  const text = firstHeader(headers['x-ratelimit-reset']);
  const reset = Number(text);
  if (text === undefined || !Number.isFinite(reset) || reset < 0) return undefined;
  // Unix seconds, as documented; a small number can only be seconds from now.
  return reset > 1_000_000_000 ? reset * 1000 : nowMs + reset * 1000;
}

/**
 * What an answer says about its key's window: spent until a moment (after
 * `X-RateLimit-Remaining: 0`, or a 429, until `X-RateLimit-Reset`; a 429
 * without it, for its `Retry-After`), open again ('open': it has calls left),
 * or nothing.
 */
export function windowAfter(status: number, headers: Headers, nowMs: number): number | 'open' | undefined {
  const reset = resetAt(headers, nowMs);
  if (status === 429) {
    const seconds = parseRetryAfter(firstHeader(headers['retry-after']), nowMs);
    const until = reset ?? (seconds === undefined ? undefined : nowMs + seconds * 1000);
    if (until !== undefined) return Math.min(until, nowMs + MAX_PAUSE_MS);
  }
  const remaining = firstHeader(headers['x-ratelimit-remaining']);
  if (remaining === undefined) return undefined;
  if (remaining.trim() !== '0') return 'open';
  return reset === undefined ? undefined : Math.min(reset, nowMs + MAX_PAUSE_MS);
}

/**
 * How many calls the upstream has counted in the window its answer speaks of
 * (`X-RateLimit-Limit-Second` less `X-RateLimit-Remaining`), and the Unix
 * second that window is; undefined when the answer does not say.
 */
export function upstreamCount(headers: Headers, nowMs: number): { second: number; used: number } | undefined {
  const limit = Number(firstHeader(headers['x-ratelimit-limit-second']));
  const remaining = Number(firstHeader(headers['x-ratelimit-remaining']));
  const reset = resetAt(headers, nowMs);
  if (!Number.isInteger(limit) || !Number.isInteger(remaining) || reset === undefined) return undefined;
  return { second: Math.floor(reset / 1000) - 1, used: Math.max(0, limit - remaining) };
}

/**
 * Remembers, per API key, until when the upstream said the key's window is
 * spent, so that calls wait instead of drawing 429s. One instance serves every
 * operation in the process (and stands in for the shared pause when Redis is away).
 */
export class RateLimitPacer {
  private readonly resumeAt = new Map<string, number>();

  observe(apiKey: string, headers: Headers, nowMs: number, status = 200): void {
    const window = windowAfter(status, headers, nowMs);
    if (window === 'open') this.resumeAt.delete(apiKey);
    else if (window !== undefined) this.pauseUntil(apiKey, window);
  }

  pauseUntil(apiKey: string, resumeAtMs: number): void {
    this.resumeAt.set(apiKey, Math.max(resumeAtMs, this.resumeAt.get(apiKey) ?? 0));
  }

  /** How long a call with this key should wait before it is sent. */
  delayMs(apiKey: string, nowMs: number): number {
    const resumeAtMs = this.resumeAt.get(apiKey);
    if (resumeAtMs === undefined) return 0;
    if (resumeAtMs <= nowMs) {
      this.resumeAt.delete(apiKey);
      return 0;
    }
    return resumeAtMs - nowMs;
  }
}
