import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyTally, sortErrors, tallyAnsweredChunk, tallyFailedChunk } from '../../src/batch/accounting.js';
import { foldDuplicates } from '../../src/batch/fold.js';
import { contactMatchKeys } from '../../src/batch/match-key.js';
import { planChunks } from '../../src/batch/plan-chunks.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';
import { contactFields } from '../helpers/arbitraries.js';

describe('accounting', () => {
  const planned = {
    items: [
      { fields: {}, keys: ['a'], inputIndexes: [0, 3] },
      { fields: {}, keys: ['b'], inputIndexes: [1] },
      { fields: {}, keys: ['c'], inputIndexes: [2] },
    ],
    after: [],
  };
  it('a failed item fails its folded items too; the rest count as written', () => {
    const tally = emptyTally();
    tallyAnsweredChunk(tally, planned, { total: 3, created: 1, updated: 1, errors: [{ index: 0, message: 'no' }] });
    expect(tally).toMatchObject({ created: 1, updated: 1, failed: 2 });
    expect(tally.errors.map((e) => e.index)).toEqual([0, 3]);
  });
  it('ignores a second error for the same position and caps unplaced errors at the items left', () => {
    const tally = emptyTally();
    tallyAnsweredChunk(tally, planned, {
      total: 3,
      created: 0,
      updated: 0,
      errors: [{ index: 1, message: 'x' }, { index: 1, message: 'y' }, { index: 'one' }, { index: 7 }, {}, {}],
    });
    expect(tally.created + tally.updated + tally.failed).toBe(4);
    expect(tally.errors.map((e) => e.index)).toEqual([1, -1, -1]);
  });
  it('a failed call fails every input item it carried', () => {
    const tally = emptyTally();
    tallyFailedChunk(tally, planned, new UpstreamError('UPSTREAM_TIMEOUT', 'slow'));
    expect(sortErrors(tally.errors).map((e) => [e.index, e.code])).toEqual([
      [0, 'TIMEOUT'],
      [1, 'TIMEOUT'],
      [2, 'TIMEOUT'],
      [3, 'TIMEOUT'],
    ]);
  });
});

describe('accounting, for any answers (fast-check)', () => {
  const answerItem = fc.oneof(
    fc.record({ index: fc.integer({ min: -2, max: 12 }), message: fc.string() }),
    fc.record({ message: fc.string() }),
    fc.record({ index: fc.constantFrom('3', null, 1.5) }),
  );
  it('always sums to total, with one errors entry per failed item', () => {
    fc.assert(
      fc.property(
        fc.array(contactFields, { minLength: 1, maxLength: 40 }),
        fc.array(
          fc.oneof(
            fc.constant('fail' as const),
            fc.record({ created: fc.nat(15), errors: fc.array(answerItem, { maxLength: 6 }) }),
          ),
          {
            minLength: 10,
            maxLength: 10,
          },
        ),
        (items, answers) => {
          const chunks = planChunks(foldDuplicates(items, contactMatchKeys).items, 10);
          const tally = emptyTally();
          chunks.forEach((chunk, i) => {
            const answer = answers[i] ?? 'fail';
            if (answer === 'fail') tallyFailedChunk(tally, chunk, new UpstreamError('UPSTREAM_UNAVAILABLE', 'down'));
            else
              tallyAnsweredChunk(tally, chunk, {
                total: chunk.items.length,
                created: answer.created,
                updated: 0,
                errors: answer.errors,
              });
          });
          expect(tally.created + tally.updated + tally.failed).toBe(items.length);
          expect(tally.errors).toHaveLength(tally.failed);
          const placed = tally.errors.filter((error) => error.index >= 0).map((error) => error.index);
          expect(new Set(placed).size).toBe(placed.length);
        },
      ),
    );
  });
});
