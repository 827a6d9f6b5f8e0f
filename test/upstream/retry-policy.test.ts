import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfter, RetryBudget } from '../../src/upstream/retry-policy.js';

describe('backoff with full jitter', () => {
  it('draws a wait between 0 and base * 2^(n-1), capped at 10 s', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, () => 0.999999))).toEqual([99, 199, 399, 799]);
    expect(backoffDelayMs(20, () => 0.999999)).toBe(9_999);
    expect(backoffDelayMs(3, () => 0)).toBe(0);
    expect(backoffDelayMs(3, () => 0.5)).toBe(200);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-26T10:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});

describe('RetryBudget', () => {
  it('spends 5 per retry, 10 after a timeout, and earns 1 per success up to its capacity', () => {
    const budget = new RetryBudget(20);
    expect(budget.tryAcquire(true)).toBe(true);
    expect(budget.tryAcquire(false)).toBe(true);
    expect(budget.tryAcquire(false)).toBe(true);
    expect(budget.tryAcquire(false)).toBe(false);
    budget.recordSuccess();
    expect(budget.available).toBe(1);
    for (let i = 0; i < 50; i++) budget.recordSuccess();
    expect(budget.available).toBe(20);
  });
});
