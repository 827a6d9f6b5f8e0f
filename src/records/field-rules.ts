import { z } from 'zod';
import { isObject } from '../json.js';

/**
 * The rule of each kind of input field: plain functions over a value GraphQL
 * (or a file reader) has already given the field's type. The record tables
 * (contact.ts, company.ts, deal.ts) name one for every field.
 */

export const MAX_STRING_LENGTH = 2048;
const MAX_ADDITIONAL_FIELDS = 100;
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const SNAKE_CASE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const RECORD_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** NUL and the other C0 controls but tab, line feed and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const TOO_LONG = `must be at most ${MAX_STRING_LENGTH} characters`;
const MALFORMED = 'must be well-formed Unicode (no lone surrogates)';
const CONTROLLED = 'must not contain control characters such as NUL';

/** Why a string may not be sent upstream, or undefined when it may: for input fields and JSON values alike. */
function textProblem(value: string): string | undefined {
  if (value.length > MAX_STRING_LENGTH) return TOO_LONG;
  if (!value.isWellFormed()) return MALFORMED;
  if (CONTROL_CHARACTER.test(value)) return CONTROLLED;
  return undefined;
}

/** A problem within a field's value: an element of a list, a name or value in a JSON object. */
export interface NestedProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/**
 * One input field's rule, for a value GraphQL has already coerced to the
 * field's type: why it may not be sent (a message about the value, or the
 * problems within it), or undefined when it may.
 */
export type FieldRule = (value: unknown) => string | readonly NestedProblem[] | undefined;

/** A string under the text rules and, when given, one more. */
export function textRule(rule?: { test: (value: string) => boolean; message: string }): FieldRule {
  return (value) => {
    if (typeof value !== 'string') return 'must be a string';
    return textProblem(value) ?? (rule && !rule.test(value) ? rule.message : undefined);
  };
}

export const text = textRule();

export const nonBlankText = textRule({ test: (value) => value.trim() !== '', message: 'must not be blank' });

export const emailAddress = textRule({
  test: (value) => EMAIL.test(value.trim()),
  message: 'must be an e-mail address such as jane@acme.com',
});

export const linkedinUrl = textRule({
  test: isLinkedinUrl,
  message: 'must be an http(s) URL on linkedin.com such as https://www.linkedin.com/in/jane-doe',
});

export const hostName = textRule({
  test: (value) => HOST_NAME.test(value.trim()),
  message: 'must be a bare host name such as acme.com (no scheme, path or port)',
});

export const currencyCode = textRule({
  test: (value) => CURRENCIES.has(value),
  message: 'must be an ISO 4217 currency code such as USD or EUR',
});

/** A finite number of at least 0. */
export const nonNegativeNumber: FieldRule = (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
  return value < 0 ? 'must be 0 or more' : undefined;
};

/** Each element of a list under `rule`, problems at the element's index. */
export function listOf(rule: FieldRule): FieldRule {
  return (value) => {
    if (!Array.isArray(value)) return 'must be a list';
    let problems: NestedProblem[] | undefined;
    value.forEach((element: unknown, index) => {
      problems = withProblemsAt(problems, index, rule(element));
    });
    return problems;
  };
}

/** A zod schema as a field rule, for the formats zod already knows (dates, date-times). */
export function matching(schema: z.ZodType): FieldRule {
  return (value) => {
    const result = schema.safeParse(value);
    return result.success
      ? undefined
      : result.error.issues.map((issue) => ({ path: issue.path.map(pathSegment), message: issue.message }));
  };
}

export const isoDate = matching(
  z.union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], {
    error: 'must be an ISO 8601 date (2026-12-31) or date-time (2026-12-31T17:00:00Z)',
  }),
);

/** An id that becomes a URL path segment: nothing in it may escape the intended path. */
export const recordId = textRule({
  test: (value) => RECORD_ID.test(value),
  message: 'must be 1 to 64 letters, digits, _ or -',
});

export const positiveInteger: FieldRule = (value) =>
  Number.isInteger(value) && (value as number) > 0 ? undefined : 'must be a positive integer';

export const trueOrFalse: FieldRule = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');

function isLinkedinUrl(value: string): boolean {
  const trimmed = value.trim();
  if (!URL.canParse(trimmed)) return false;
  const url = new URL(trimmed);
  const host = url.hostname.toLowerCase();
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    (host === 'linkedin.com' || host.endsWith('.linkedin.com'))
  );
}

/** A scalar JSON value, or a list of them; strings within the text rules. */
function jsonValueProblems(value: unknown, name: string): NestedProblem[] {
  const leafProblem = (leaf: unknown): string | undefined => {
    if (leaf === null || typeof leaf === 'boolean') return undefined;
    if (typeof leaf === 'number') return Number.isFinite(leaf) ? undefined : 'must be a finite number';
    if (typeof leaf === 'string') return textProblem(leaf);
    return 'must be a string, number, boolean, null or a list of those';
  };
  if (Array.isArray(value)) {
    return value.flatMap((leaf: unknown, index) => {
      const message = leafProblem(leaf);
      return message ? [{ path: [name, index], message }] : [];
    });
  }
  const message = leafProblem(value);
  return message ? [{ path: [name], message }] : [];
}

/** A JSON object whose every name passes `nameProblem` and whose values are scalar JSON. */
function jsonObjectRule(
  nameProblem: (name: string) => string | undefined,
  maxNames = Number.POSITIVE_INFINITY,
): FieldRule {
  return (value) => {
    if (!isObject(value)) return 'must be a JSON object';
    const names = Object.keys(value);
    const problems: NestedProblem[] =
      names.length > maxNames ? [{ path: [], message: `must carry at most ${maxNames} fields` }] : [];
    for (const name of names) {
      const message = PROTOTYPE_KEYS.has(name) ? `"${name}" may not be used as a field name` : nameProblem(name);
      if (message) problems.push({ path: [name], message });
      else problems.push(...jsonValueProblems(value[name], name));
    }
    return problems.length > 0 ? problems : undefined;
  };
}

/** `additionalFields`: snake_case upstream names that no input field owns, scalar values. */
export function additionalFields(reservedNames: ReadonlySet<string>): FieldRule {
  return jsonObjectRule((name) => {
    if (!SNAKE_CASE_NAME.test(name)) {
      return 'field names must be snake_case upstream names (a-z, 0-9 and _, starting with a letter, at most 64)';
    }
    return reservedNames.has(name) ? `"${name}" has its own input field; set it there` : undefined;
  }, MAX_ADDITIONAL_FIELDS);
}

/** `customFields`: the account's own fields, any name of 1 to 128 characters, scalar values. */
export const customFields = jsonObjectRule((name) =>
  name.length < 1 || name.length > 128 || textProblem(name)
    ? 'field names must be 1 to 128 characters of well-formed text'
    : undefined,
);

/** `problems` with `outcome`'s problems added under `segment`; no list is made while there is nothing to add. */
function withProblemsAt(
  problems: NestedProblem[] | undefined,
  segment: string | number,
  outcome: ReturnType<FieldRule>,
): NestedProblem[] | undefined {
  if (outcome === undefined) return problems;
  const all = problems ?? [];
  for (const problem of nestedProblems(outcome)) {
    all.push({ path: [segment, ...problem.path], message: problem.message });
  }
  return all;
}

function pathSegment(segment: PropertyKey): string | number {
  return typeof segment === 'number' ? segment : String(segment);
}

/**
 * The rule of a whole input object: each set (not null) field under its own
 * rule, every problem at its path, then the object's own rule. Fields without
 * an entry in `fields` need nothing beyond their type.
 */
export function objectRule(
  fields: Readonly<Record<string, FieldRule>>,
  whole?: { readonly holds: (value: Record<string, unknown>) => boolean; readonly message: string },
): FieldRule {
  const rules = Object.entries(fields);
  return (value) => {
    if (!isObject(value)) return 'must be an input object';
    let problems: NestedProblem[] | undefined;
    for (const [name, rule] of rules) {
      const fieldValue = value[name];
      if (fieldValue === null || fieldValue === undefined) continue;
      problems = withProblemsAt(problems, name, rule(fieldValue));
    }
    if (whole && !whole.holds(value)) {
      problems ??= [];
      problems.push({ path: [], message: whole.message });
    }
    return problems;
  };
}

/** The problems of a rule's outcome, a message about the value itself at the empty path. */
export function nestedProblems(outcome: ReturnType<FieldRule>): readonly NestedProblem[] {
  if (outcome === undefined) return [];
  return typeof outcome === 'string' ? [{ path: [], message: outcome }] : outcome;
}
