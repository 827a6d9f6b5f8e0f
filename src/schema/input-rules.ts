import type { StandardSchemaV1 } from '@pothos/plugin-validation';
import { z } from 'zod';
import { badUserInput, type InputIssue } from '../errors.js';

/** The input rules of the contract, as zod schemas that the validation plugin runs before any upstream call. */

export const MAX_STRING_LENGTH = 2048;
const MAX_ADDITIONAL_FIELDS = 100;
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const SNAKE_CASE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const RECORD_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** NUL and the other C0 controls but tab, line feed and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const TOO_LONG = `must be at most ${MAX_STRING_LENGTH} characters`;
const MALFORMED = 'must be well-formed Unicode (no lone surrogates)';
const CONTROLLED = 'must not contain control characters such as NUL';

/** Why a string may not be sent upstream, or undefined when it may: for input fields and JSON values alike. */
function textProblem(value: string): string | undefined {
  if (value.length > MAX_STRING_LENGTH) return TOO_LONG;
  if (LONE_SURROGATE.test(value)) return MALFORMED;
  if (CONTROL_CHARACTER.test(value)) return CONTROLLED;
  return undefined;
}

/**
 * A string under the text rules and, when given, one more: each as a single
 * zod check, the cheapest form on a 10,000-item list.
 */
function checkedText(rule?: { test: (value: string) => boolean; message: string }) {
  return z.string().check((payload) => {
    const problem = textProblem(payload.value) ?? (rule && !rule.test(payload.value) ? rule.message : undefined);
    if (problem) payload.issues.push({ code: 'custom', message: problem, input: payload.value });
  });
}

export const text = checkedText();

export const emailAddress = checkedText({
  test: (value) => EMAIL.test(value.trim()),
  message: 'must be an e-mail address such as jane@acme.com',
});

export const linkedinUrl = checkedText({
  test: isLinkedinUrl,
  message: 'must be an http(s) URL on linkedin.com such as https://www.linkedin.com/in/jane-doe',
});

export const hostName = checkedText({
  test: (value) => HOST_NAME.test(value.trim()),
  message: 'must be a bare host name such as acme.com (no scheme, path or port)',
});

export const listId = z.number().int().positive('must be a positive integer');

export const recordId = z.string().regex(RECORD_ID, 'must be 1 to 64 letters, digits, _ or -');

export const currencyCode = checkedText({
  test: (value) => CURRENCIES.has(value),
  message: 'must be an ISO 4217 currency code such as USD or EUR',
});

export const isoDate = z.union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], {
  error: 'must be an ISO 8601 date (2026-12-31) or date-time (2026-12-31T17:00:00Z)',
});

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

type JsonLeaf = string | number | boolean | null;

/** A scalar JSON value, or a list of them; strings within the length limit. */
function checkFieldValue(value: unknown, path: Array<string | number>, issues: z.core.$RefinementCtx<unknown>): void {
  const leafProblem = (leaf: unknown): string | undefined => {
    if (leaf === null || typeof leaf === 'boolean') return undefined;
    if (typeof leaf === 'number') return Number.isFinite(leaf) ? undefined : 'must be a finite number';
    if (typeof leaf === 'string') return textProblem(leaf);
    return 'must be a string, number, boolean, null or a list of those';
  };
  if (Array.isArray(value)) {
    value.forEach((leaf: unknown, index) => {
      const problem = leafProblem(leaf);
      if (problem) issues.addIssue({ code: 'custom', path: [...path, index], message: problem, input: leaf });
    });
    return;
  }
  const problem = leafProblem(value);
  if (problem) issues.addIssue({ code: 'custom', path, message: problem, input: value });
}

const jsonObject = z.custom<Record<string, JsonLeaf | JsonLeaf[]>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'must be a JSON object' },
);

/** `additionalFields`: snake_case upstream names that no input field owns, scalar values. */
export function additionalFields(reservedNames: ReadonlySet<string>) {
  return jsonObject.superRefine((fields, ctx) => {
    const names = Object.keys(fields);
    if (names.length > MAX_ADDITIONAL_FIELDS) {
      ctx.addIssue({ code: 'custom', message: `must carry at most ${MAX_ADDITIONAL_FIELDS} fields`, input: fields });
    }
    for (const name of names) {
      if (PROTOTYPE_KEYS.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" may not be used as a field name`,
          input: name,
        });
      } else if (!SNAKE_CASE_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'field names must be snake_case upstream names (a-z, 0-9 and _, starting with a letter, at most 64)',
          input: name,
        });
      } else if (reservedNames.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" has its own input field; set it there`,
          input: name,
        });
      } else checkFieldValue(fields[name], [name], ctx);
    }
  });
}

/** `customFields`: the account's own fields, any name of 1 to 128 characters, scalar values. */
export const customFields = jsonObject.superRefine((fields, ctx) => {
  for (const name of Object.keys(fields)) {
    if (PROTOTYPE_KEYS.has(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" may not be used as a field name`, input: name });
    } else if (name.length < 1 || name.length > 128 || textProblem(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'field names must be 1 to 128 characters of well-formed text',
        input: name,
      });
    } else checkFieldValue(fields[name], [name], ctx);
  }
});

/** A list argument carries at least one item; the most it may carry is configuration (see listCapIssues). */
export function nonEmptyList<T extends z.ZodType>(item: T) {
  return z.array(item).min(1, 'must carry at least 1 item');
}

/** The issues of a failed validation, with plain argument paths. */
export function issuesFromFailure(failure: StandardSchemaV1.FailureResult): InputIssue[] {
  return failure.issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => {
      const key = typeof segment === 'object' ? segment.key : segment;
      return typeof key === 'number' ? key : String(key);
    }),
    message: issue.message,
  }));
}

/** Lists over the configured `MAX_ITEMS_PER_MUTATION`, as issues at the argument's path. */
export function listCapIssues(args: Record<string, unknown>, maxItems: number): InputIssue[] {
  return Object.entries(args).flatMap(([name, value]) =>
    Array.isArray(value) && value.length > maxItems
      ? [{ path: [name], message: `carries ${value.length} items; one mutation takes at most ${maxItems}` }]
      : [],
  );
}

/** For lists that passed every other rule: the configured cap still applies. */
export function assertWithinListCap(args: Record<string, unknown>, maxItems: number): void {
  const issues = listCapIssues(args, maxItems);
  if (issues.length > 0) throw badUserInput(issues);
}
