import { BATCH_ERROR_CODES, type BatchErrorCode, type BatchItemError } from '../batch/accounting.js';
import type { BatchAssertResult } from '../batch/assert-batch.js';
import { builder } from '../builder.js';
import type { InputIssue } from '../errors.js';
import type { RecordAssertResult } from '../upstream/graph8-api.js';

export const AssertAction = builder.enumType('AssertAction', {
  description: 'What an assert did to the record it matched.',
  values: {
    CREATED: { value: 'created', description: 'No record matched: a new one was created.' },
    UPDATED: { value: 'updated', description: 'A record matched and the fields sent were written to it.' },
  } as const,
});

export const AssertPayload = builder.objectRef<RecordAssertResult>('AssertPayload').implement({
  description: 'The result of asserting one record.',
  fields: (t) => ({
    action: t.field({
      type: AssertAction,
      description: 'Whether the record was created or an existing one updated.',
      resolve: (result) => result.action,
    }),
    count: t.exposeInt('count', { description: 'Records written (1).' }),
  }),
});

export const BatchErrorCodeEnum = builder.enumType('BatchErrorCode', {
  description: 'Why one item of a batch was not written.',
  values: Object.fromEntries(
    Object.entries(BATCH_ERROR_CODES).map(([code, description]) => [code, { description }]),
  ) as { [Code in BatchErrorCode]: { description: string } },
});

export const BatchItemErrorRef = builder.objectRef<BatchItemError>('BatchItemError').implement({
  description: 'One input item that was not written, and why.',
  fields: (t) => ({
    index: t.exposeInt('index', {
      description:
        "Position of the failed item in the mutation's input list; -1 when the upstream named no usable position.",
    }),
    code: t.field({ type: BatchErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message', { description: 'What went wrong, in words.' }),
    detail: t.field({
      type: 'JSONObject',
      nullable: true,
      description: "The upstream's own error item or body, as it came, when there was one.",
      resolve: (error) => error.detail ?? null,
    }),
  }),
});

export const BatchAssertPayload = builder.objectRef<BatchAssertResult>('BatchAssertPayload').implement({
  description:
    'The result of asserting a list of records. Every input item is accounted for: total = created + updated + failed.',
  fields: (t) => ({
    total: t.exposeInt('total', {
      description: "Items in the mutation's input list; always created + updated + failed.",
    }),
    created: t.exposeInt('created', { description: 'Items for which the upstream created a record.' }),
    updated: t.exposeInt('updated', {
      description: 'Items written to an existing record, including items folded into an earlier item that was written.',
    }),
    failed: t.exposeInt('failed', { description: 'Items not written; each has one entry in errors.' }),
    deduplicated: t.exposeInt('deduplicated', {
      description: 'Items folded into an earlier item with the same match key before sending.',
    }),
    chunks: t.exposeInt('chunks', {
      description: 'Upstream batch calls made (each carries at most chunkSize items); a retried call counts once.',
    }),
    errors: t.field({
      type: [BatchItemErrorRef],
      description: 'One entry per failed item, in input order.',
      resolve: (result) => result.errors,
    }),
  }),
});

export interface CheckResult {
  readonly valid: boolean;
  readonly issues: readonly InputIssue[];
  readonly total: number;
  readonly deduplicated: number;
  readonly chunks: number;
}

const InputIssueRef = builder.objectRef<InputIssue>('InputIssue').implement({
  description: 'One broken input rule, as BAD_USER_INPUT lists it.',
  fields: (t) => ({
    path: t.stringList({
      description: 'The argument path, such as ["contacts", "17", "workEmail"].',
      resolve: (issue) => issue.path.map(String),
    }),
    message: t.exposeString('message', { description: 'What is wrong, in words.' }),
  }),
});

export const CheckPayload = builder.objectRef<CheckResult>('CheckPayload').implement({
  description: 'What the matching assert mutation would do with a list, found without writing anything.',
  fields: (t) => ({
    valid: t.exposeBoolean('valid', {
      description: 'True when assertContacts / assertCompanies would accept the rows.',
    }),
    issues: t.field({
      type: [InputIssueRef],
      description: 'Every broken rule, as BAD_USER_INPUT would list it (path and message).',
      resolve: (result) => result.issues,
    }),
    total: t.exposeInt('total', { description: 'Items in the list.' }),
    deduplicated: t.exposeInt('deduplicated', {
      description: 'Items that would be folded into an earlier item with the same match key.',
    }),
    chunks: t.exposeInt('chunks', { description: 'Upstream batch calls the list would take.' }),
  }),
});
