import { firstHeader } from './headers.js';

/** Longest pause a (possibly bogus) `X-RateLimit-Reset` can impose. */
const MAX_PAUSE_MS = 60_000;

/**
 * Remembers, per API key, when the upstream said the key's window resets after
 * it answered `X-RateLimit-Remaining: 0`, so that calls wait instead of drawing 429s.
 * One instance serves every operation in the process.
 */
export class RateLimitPacer {
  private readonly resumeAt = new Map<string, number>();

  observe(apiKey: string, headers: Readonly<Record<string, string | string[] | undefined>>, nowMs: number): void {
    const remaining = firstHeader(headers['x-ratelimit-remaining']);
    if (remaining === undefined) return;
    if (remaining.trim() !== '0') {
      this.resumeAt.delete(apiKey);
      return;
    }
    const reset = Number(firstHeader(headers['x-ratelimit-reset']));
    if (!Number.isFinite(reset) || reset < 0) return;
    // Unix seconds, as documented; a small number can only be seconds from now.
    const resumeAtMs = reset > 1_000_000_000 ? reset * 1000 : nowMs + reset * 1000;
    this.resumeAt.set(apiKey, Math.min(resumeAtMs, nowMs + MAX_PAUSE_MS));
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
