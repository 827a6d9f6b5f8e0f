import { assertBatch, type BatchAssertResult } from '../batch/assert-batch.js';
import type { GatewayContext } from '../context.js';
import type { BatchedRecords } from '../records/record-table.js';
import type { RecordAssertResult } from '../upstream/graph8-api.js';
import { assertWithinListCap } from './input-rules.js';

/** The resolvers behind assertContact/assertCompany and assertContacts/assertCompanies, one kind at a time. */

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
