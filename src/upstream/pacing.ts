import { firstHeader } from './headers.js';
import { parseRetryAfter } from './retry-policy.js';

/** Longest pause a (possibly bogus) `X-RateLimit-Reset` or `Retry-After` can impose. */
const MAX_PAUSE_MS = 60_000;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What an answer says about its key's window: spent until a moment (after
 * `X-RateLimit-Remaining: 0`, until `X-RateLimit-Reset`; after a 429, for its
 * `Retry-After`), open again ('open': it has calls left), or nothing.
 */
export function windowAfter(status: number, headers: Headers, nowMs: number): number | 'open' | undefined {
  if (status === 429) {
    const seconds = parseRetryAfter(firstHeader(headers['retry-after']), nowMs);
    if (seconds !== undefined) return Math.min(nowMs + seconds * 1000, nowMs + MAX_PAUSE_MS);
  }
  const remaining = firstHeader(headers['x-ratelimit-remaining']);
  if (remaining === undefined) return undefined;
  if (remaining.trim() !== '0') return 'open';
  const reset = Number(firstHeader(headers['x-ratelimit-reset']));
  if (!Number.isFinite(reset) || reset < 0) return undefined;
  // Unix seconds, as documented; a small number can only be seconds from now.
  const resumeAtMs = reset > 1_000_000_000 ? reset * 1000 : nowMs + reset * 1000;
  return Math.min(resumeAtMs, nowMs + MAX_PAUSE_MS);
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
