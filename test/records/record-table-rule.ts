import { text } from '../../src/records/field-rules.js';
import { defineRecordTable } from '../../src/records/record-table.js';

/**
 * Type-checked by `tsc --noEmit` (npm test), never run: a field without a
 * `rule` must not compile. Should `rule` ever become optional, the
 * @ts-expect-error below is unused and tsc fails.
 */
export const tableWithAFieldWithoutARule = () =>
  defineRecordTable({
    inputName: 'ExampleInput',
    description: 'A table for the type check only.',
    fields: {
      name: { type: 'String', wire: 'name', rule: text, description: 'Has its rule.' },
      // @ts-expect-error a field without a rule does not compile
      nickname: { type: 'String', wire: 'nickname', description: 'Has none.' },
    },
  });
