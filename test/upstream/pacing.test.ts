import { describe, expect, it } from 'vitest';
import { RateLimitPacer } from '../../src/upstream/pacing.js';

describe('RateLimitPacer', () => {
  it('holds a key until the reset once remaining is 0, and lets it go when remaining is back', () => {
    const pacer = new RateLimitPacer();
    const now = 1_800_000_000_000;
    pacer.observe('k', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 2) }, now);
    expect(pacer.delayMs('k', now)).toBe(2_000);
    expect(pacer.delayMs('other', now)).toBe(0);
    pacer.observe('k', { 'x-ratelimit-remaining': '5' }, now);
    expect(pacer.delayMs('k', now)).toBe(0);
  });
  it('caps a bogus far-away reset at a minute', () => {
    const pacer = new RateLimitPacer();
    pacer.observe('k', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '9999999999' }, 1_000);
    expect(pacer.delayMs('k', 1_000)).toBe(60_000);
  });
});
