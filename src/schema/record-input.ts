import type { InputFieldBuilder } from '@pothos/core';
import { builder } from '../builder.js';
import type { FieldSpec, InputOf, RecordTable } from '../records/record-table.js';

type Fields = Readonly<Record<string, FieldSpec>>;

function inputField(t: InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>, spec: FieldSpec) {
  const options = { description: spec.description, required: spec.required ?? false };
  switch (spec.type) {
    case 'String':
      return t.string(options);
    case 'ID':
      return t.id(options);
    case 'Int':
      return t.int(options);
    case 'Float':
      return t.float(options);
    case 'Boolean':
      return t.boolean(options);
    case 'StringList':
      return t.stringList(options);
    case 'JSONObject':
      return t.field({ type: 'JSONObject', ...options });
  }
}

/** The GraphQL input type a record table describes, with `additionalFields` when the table has it. */
export function recordInputType<F extends Fields>(table: RecordTable<F>) {
  return builder.inputRef<InputOf<F>>(table.inputName).implement({
    description: table.description,
    fields: (t) => {
      const fields = Object.fromEntries(
        Object.entries(table.fields as Fields).map(([name, spec]) => [name, inputField(t, spec)]),
      );
      if (table.additionalFields !== undefined) {
        fields.additionalFields = t.field({ type: 'JSONObject', description: table.additionalFields });
      }
      // The shape is InputOf<F> by construction: each field's type comes from its spec.
      return fields as never;
    },
  });
}
