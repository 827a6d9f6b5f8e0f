import { describe, expect, it } from 'vitest';
import { emptyTally, sortErrors, tallyAnsweredChunk, tallyFailedChunk } from '../../src/batch/accounting.js';
import { foldDuplicates } from '../../src/batch/fold.js';
import { companyMatchKeys, contactMatchKeys, normaliseLinkedinUrl } from '../../src/batch/match-key.js';
import { planChunks } from '../../src/batch/plan-chunks.js';
import { runChunks } from '../../src/batch/run-chunks.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';

describe('match keys', () => {
  it('normalises LinkedIn URLs: scheme, www., query, fragment, trailing slash, case', () => {
    const forms = [
      'https://www.linkedin.com/in/Jane-Doe/',
      'http://linkedin.com/in/jane-doe',
      'HTTPS://WWW.LINKEDIN.COM/in/jane-doe?trk=abc#top',
      ' linkedin.com/in/jane-doe// ',
    ];
    expect(new Set(forms.map(normaliseLinkedinUrl))).toEqual(new Set(['linkedin.com/in/jane-doe']));
  });
  it('keys a contact by e-mail first, then LinkedIn, trimmed and lower-cased', () => {
    expect(contactMatchKeys({ work_email: ' Jane@Acme.COM ', linkedin_url: 'https://www.linkedin.com/in/j' })).toEqual([
      'email:jane@acme.com',
      'linkedin:linkedin.com/in/j',
    ]);
    expect(contactMatchKeys({ linkedin_url: 'https://linkedin.com/in/j' })).toEqual(['linkedin:linkedin.com/in/j']);
    expect(contactMatchKeys({ work_email: ' ' })).toEqual([]);
    expect(companyMatchKeys({ domain: 'Acme.com' })).toEqual(['domain:acme.com']);
  });
});

describe('foldDuplicates', () => {
  it('folds by primary key into the first occurrence, later fields winning', () => {
    const { items, deduplicated } = foldDuplicates(
      [
        { work_email: 'a@x.com', first_name: 'A', custom_fields: { p: 1 } },
        { work_email: 'b@x.com' },
        {
          work_email: 'A@X.com',
          first_name: 'Alice',
          linkedin_url: 'https://linkedin.com/in/a',
          custom_fields: { q: 2 },
        },
      ],
      contactMatchKeys,
    );
    expect(deduplicated).toBe(1);
    expect(items.map((item) => item.inputIndexes)).toEqual([[0, 2], [1]]);
    expect(items[0]?.fields).toEqual({
      work_email: 'A@X.com',
      first_name: 'Alice',
      linkedin_url: 'https://linkedin.com/in/a',
      custom_fields: { p: 1, q: 2 },
    });
    expect(items[0]?.keys).toEqual(['email:a@x.com', 'linkedin:linkedin.com/in/a']);
  });
});

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
