import { assertBatch, type BatchAssertResult } from '../batch/assert-batch.js';
import type { GatewayContext } from '../context.js';
import { asClientError } from '../errors.js';
import type { RecordKind } from '../upstream/graph8-api.js';
import { toWireFields, type WireAssertResult, type WireFields } from '../upstream/wire.js';
import { assertWithinListCap } from './input-rules.js';

/** How one kind of record (contacts, companies) is mapped and matched. */
export interface RecordKindMapping {
  readonly kind: RecordKind;
  readonly fields: Readonly<Record<string, string>>;
  readonly keysOf: (fields: WireFields) => string[];
}

export async function assertOneRecord(
  mapping: RecordKindMapping,
  listId: number,
  input: Readonly<Record<string, unknown>>,
  context: GatewayContext,
): Promise<WireAssertResult> {
  const call = context.upstreamCall();
  try {
    return await context.api.assertRecord(mapping.kind, listId, toWireFields(input, mapping.fields), call);
  } catch (error) {
    throw asClientError(error);
  }
}

export async function assertRecordList(
  mapping: RecordKindMapping,
  listId: number,
  listArgument: string,
  inputs: ReadonlyArray<Readonly<Record<string, unknown>>>,
  context: GatewayContext,
): Promise<BatchAssertResult> {
  assertWithinListCap({ [listArgument]: inputs }, context.limits.maxItemsPerMutation);
  const call = context.upstreamCall();
  try {
    const result = await assertBatch(
      context.api,
      {
        kind: mapping.kind,
        listId,
        items: inputs.map((input) => toWireFields(input, mapping.fields)),
        keysOf: mapping.keysOf,
        concurrency: context.limits.upstreamConcurrency,
      },
      call,
    );
    context.metrics.recordBatch(mapping.kind, result);
    return result;
  } catch (error) {
    throw asClientError(error);
  }
}
