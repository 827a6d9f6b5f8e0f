import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldDuplicates } from '../../src/batch/fold.js';
import { contactMatchKeys } from '../../src/batch/match-key.js';
import { planChunks } from '../../src/batch/plan-chunks.js';
import { contactFields } from '../helpers/arbitraries.js';

describe('planChunks', () => {
  const item = (...keys: string[]) => ({ fields: {}, keys, inputIndexes: [0] });
  it('cuts in order into chunks of at most the size, noting chunks that share a key', () => {
    const items = [item('a'), item('b', 'x'), item('c'), item('d', 'x'), item('e'), item('f', 'b')];
    const chunks = planChunks(items, 2);
    expect(chunks.map((chunk) => chunk.items.map((i) => i.keys[0]))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
    expect(chunks.map((chunk) => chunk.after)).toEqual([[], [0], [0]]);
  });
});

describe('folding and planning, for any input (fast-check)', () => {
  it('puts every item in exactly one chunk of at most the size, in input order', () => {
    fc.assert(
      fc.property(fc.array(contactFields, { maxLength: 400 }), fc.integer({ min: 1, max: 100 }), (items, size) => {
        const { items: folded, deduplicated } = foldDuplicates(items, contactMatchKeys);
        const chunks = planChunks(folded, size);
        expect(chunks.every((chunk) => chunk.items.length >= 1 && chunk.items.length <= size)).toBe(true);
        const indexes = chunks.flatMap((chunk) => chunk.items.flatMap((item) => item.inputIndexes));
        expect([...indexes].sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
        const firsts = chunks.flatMap((chunk) => chunk.items.map((item) => item.inputIndexes[0]));
        expect(firsts).toEqual([...firsts].sort((a, b) => (a as number) - (b as number)));
        expect(folded.length + deduplicated).toBe(items.length);
        expect(new Set(folded.map((item) => item.keys[0])).size).toBe(folded.length);
      }),
    );
  });
});
