import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldDuplicates } from '../../src/batch/fold.js';
import { contactMatchKeys } from '../../src/batch/match-key.js';
import { planChunks } from '../../src/batch/plan-chunks.js';
import { runChunks } from '../../src/batch/run-chunks.js';
import { contactFields } from '../helpers/arbitraries.js';

describe('runChunks', () => {
  const chunk = (after: number[] = []) => ({ items: [], after });
  it('bounds concurrency and returns outcomes in plan order', async () => {
    let inFlight = 0;
    let most = 0;
    const outcomes = await runChunks([chunk(), chunk(), chunk(), chunk(), chunk()], 2, async (_c, index) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10 * (5 - index)));
      inFlight--;
      return index;
    });
    expect(outcomes).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
  it('starts a chunk only after the chunks it must follow, letting others pass it', async () => {
    const order: string[] = [];
    await runChunks([chunk(), chunk([0]), chunk()], 2, async (_c, index) => {
      order.push(`start ${index}`);
      await new Promise((resolve) => setTimeout(resolve, index === 0 ? 30 : 5));
      order.push(`end ${index}`);
    });
    expect(order.indexOf('start 2')).toBeLessThan(order.indexOf('end 0'));
    expect(order.indexOf('start 1')).toBeGreaterThan(order.indexOf('end 0'));
  });
  it('resolves at once for no chunks', async () => {
    await expect(runChunks([], 4, async () => 1)).resolves.toEqual([]);
  });
});

describe('running planned chunks, for any input and timing (fast-check)', () => {
  it('never runs two chunks carrying the same key at once, whatever the timing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(contactFields, { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }),
        async (items, size, concurrency, delays) => {
          const chunks = planChunks(foldDuplicates(items, contactMatchKeys).items, size);
          const inFlight = new Map<string, number>();
          let clash = false;
          let running = 0;
          let most = 0;
          await runChunks(chunks, concurrency, async (chunk, index) => {
            running++;
            most = Math.max(most, running);
            const keys = new Set(chunk.items.flatMap((item) => item.keys));
            for (const key of keys) {
              if (inFlight.has(key)) clash = true;
              inFlight.set(key, index);
            }
            await new Promise((resolve) => setTimeout(resolve, delays[index % delays.length]));
            for (const key of keys) inFlight.delete(key);
            running--;
          });
          expect(clash).toBe(false);
          expect(most).toBeLessThanOrEqual(concurrency);
        },
      ),
      { numRuns: 60 },
    );
  });
});
