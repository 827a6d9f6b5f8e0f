import { describe, expect, it } from 'vitest';
import { foldDuplicates } from '../../src/batch/fold.js';
import { contactMatchKeys } from '../../src/batch/match-key.js';

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
