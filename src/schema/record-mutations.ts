import type { StandardSchemaV1 } from '@pothos/plugin-validation';
import { assertBatch, type BatchAssertResult } from '../batch/assert-batch.js';
import { foldDuplicates } from '../batch/fold.js';
import { planChunks } from '../batch/plan-chunks.js';
import type { GatewayContext } from '../context.js';
import type { BatchedRecords } from '../records/record-table.js';
import { type RecordAssertResult, UPSTREAM_BATCH_LIMIT } from '../upstream/graph8-api.js';
import { assertWithinListCap, issuesFromFailure, listCapIssues } from './input-rules.js';
import type { CheckResult } from './payloads.js';

/** The resolvers behind the contact and company fields (assert one, assert a list, check a list), one kind at a time. */

export function assertOneRecord(
  records: BatchedRecords,
  listId: number,
  input: Readonly<Record<string, unknown>>,
  context: GatewayContext,
): Promise<RecordAssertResult> {
  const call = context.authorizeUpstream();
  return context.services.api.assertRecord(records.kind, listId, records.table.toWire(input), call);
}

export async function assertRecordList(
  records: BatchedRecords,
  listId: number,
  inputs: ReadonlyArray<Readonly<Record<string, unknown>>>,
  context: GatewayContext,
): Promise<BatchAssertResult> {
  const { api, limits, metrics } = context.services;
  assertWithinListCap({ [records.kind]: inputs }, limits.maxItemsPerMutation);
  const call = context.authorizeUpstream();
  const result = await assertBatch(
    api,
    {
      kind: records.kind,
      listId,
      items: inputs.map((input) => records.table.toWire(input)),
      keysOf: records.keysOf,
      concurrency: limits.upstreamConcurrency,
    },
    call,
  );
  metrics.recordBatch(records.kind, result);
  return result;
}

/**
 * checkContacts / checkCompanies: the same argument rules as the assert
 * mutation (`argumentsSchema` is the one its `validate` runs), its list cap,
 * folding and planning, with nothing sent; every issue as BAD_USER_INPUT would
 * list it.
 */
export function checkRecordList(
  records: BatchedRecords,
  argumentsSchema: StandardSchemaV1,
  args: Record<string, unknown>,
  context: GatewayContext,
): CheckResult {
  context.authorizeReadOnly();
  const outcome = argumentsSchema['~standard'].validate(args);
  if (outcome instanceof Promise) throw new Error('argument rules are synchronous');
  const issues = [
    ...(outcome.issues ? issuesFromFailure(outcome as StandardSchemaV1.FailureResult) : []),
    ...listCapIssues(args, context.services.limits.maxItemsPerMutation),
  ];
  const inputs = args[records.kind] as ReadonlyArray<Readonly<Record<string, unknown>>>;
  const { items, deduplicated } = foldDuplicates(
    inputs.map((input) => records.table.toWire(input)),
    records.keysOf,
  );
  return {
    valid: issues.length === 0,
    issues,
    total: inputs.length,
    deduplicated,
    chunks: planChunks(items, UPSTREAM_BATCH_LIMIT).length,
  };
}
