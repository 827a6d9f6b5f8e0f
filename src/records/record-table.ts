import type { RecordKind } from '../upstream/graph8-api.js';
import { additionalFields, type FieldRule, objectRule } from './field-rules.js';

/**
 * A record kind's fields, declared once: each field's GraphQL type and
 * description, its upstream name and its rule. The Pothos input type
 * (schema/record-input.ts), the input rules, the wire mapping and the file
 * columns of imports are all derived from a table.
 */

/** The GraphQL type of an input field. */
export type FieldType = 'String' | 'ID' | 'Int' | 'Float' | 'Boolean' | 'JSONObject' | 'StringList';

interface FieldValues {
  String: string;
  ID: string;
  Int: number;
  Float: number;
  Boolean: boolean;
  JSONObject: Record<string, unknown>;
  StringList: string[];
}

export interface FieldSpec {
  readonly type: FieldType;
  /** The upstream's snake_case name for the field. */
  readonly wire: string;
  /** Checked on every set (not null) value before anything is sent; a field without one does not compile. */
  readonly rule: FieldRule;
  readonly description: string;
  readonly required?: boolean;
}

/** The upstream fields of one record, as sent. */
export type WireFields = Record<string, unknown>;

type ValueOf<Spec extends FieldSpec> = FieldValues[Spec['type']];
type RequiredNames<Fields> = {
  [Name in keyof Fields]: Fields[Name] extends { required: true } ? Name : never;
}[keyof Fields];

/** The input object a table describes, as GraphQL hands it to a resolver. */
export type InputOf<Fields extends Readonly<Record<string, FieldSpec>>> = {
  readonly [Name in RequiredNames<Fields>]: ValueOf<Fields[Name]>;
} & {
  readonly [Name in Exclude<keyof Fields, RequiredNames<Fields>>]?: ValueOf<Fields[Name]> | null;
} & { readonly additionalFields?: Record<string, unknown> | null };

export interface RecordTableSpec<Fields extends Readonly<Record<string, FieldSpec>>> {
  /** The GraphQL input type's name, such as ContactInput. */
  readonly inputName: string;
  readonly description: string;
  readonly fields: Fields;
  /** When set, the input has `additionalFields` (this is its description): other upstream fields under their own names. */
  readonly additionalFields?: string;
  /** A rule over the whole object, such as "a match key is given". */
  readonly whole?: { readonly holds: (input: InputOf<Fields>) => boolean; readonly message: string };
}

export interface RecordTable<Fields extends Readonly<Record<string, FieldSpec>> = Readonly<Record<string, FieldSpec>>>
  extends RecordTableSpec<Fields> {
  /** The input object's rule: every field's, then the whole object's. */
  readonly rule: FieldRule;
  /** Upstream names that `additionalFields` may not set, because a field or the request owns them. */
  readonly reservedWireNames: ReadonlySet<string>;
  /** Maps an input to its wire fields: null and absent fields are left out, `additionalFields` pass through. */
  toWire(input: Readonly<Record<string, unknown>>): WireFields;
}

/** Upstream names the request itself owns, which no input field may set. */
const REQUEST_OWNED_NAMES = ['list_id'];

export function defineRecordTable<const Fields extends Readonly<Record<string, FieldSpec>>>(
  spec: RecordTableSpec<Fields>,
): RecordTable<Fields> {
  const entries = Object.entries(spec.fields) as Array<[string, FieldSpec]>;
  const reservedWireNames: ReadonlySet<string> = new Set([
    ...entries.map(([, field]) => field.wire),
    ...REQUEST_OWNED_NAMES,
  ]);
  const rules: Record<string, FieldRule> = Object.fromEntries(entries.map(([name, field]) => [name, field.rule]));
  if (spec.additionalFields !== undefined) rules.additionalFields = additionalFields(reservedWireNames);
  const whole = spec.whole as { holds: (input: Record<string, unknown>) => boolean; message: string } | undefined;
  const wireNames = entries.map(([name, field]) => [name, field.wire] as const);
  return {
    ...spec,
    rule: objectRule(rules, whole),
    reservedWireNames,
    toWire(input) {
      const wire: WireFields = {};
      const additional = input.additionalFields;
      if (typeof additional === 'object' && additional !== null) Object.assign(wire, additional);
      for (const [name, wireName] of wireNames) {
        const value = input[name];
        if (value !== null && value !== undefined) wire[wireName] = value;
      }
      return wire;
    },
  };
}

/** A kind of record the batch endpoints take: its table, and the keys it is matched by. */
export interface BatchedRecords {
  readonly kind: RecordKind;
  readonly table: RecordTable;
  /** Every key a record can be found by, primary first. */
  readonly keysOf: (fields: WireFields) => string[];
}
