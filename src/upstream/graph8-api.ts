import { isObject } from '../json.js';
import type { UpstreamCallOptions, UpstreamClient } from './client.js';
import { UpstreamError } from './upstream-error.js';
import type { WireBatchErrorItem, WireFields } from './wire.js';

export type RecordKind = 'contacts' | 'companies';

/** Most items one upstream batch call carries. */
export const UPSTREAM_BATCH_LIMIT = 100;

/** The upstream's answers, decoded into the gateway's names. */
export interface RecordAssertResult {
  readonly action: 'created' | 'updated';
  readonly count: number;
}

export interface RecordBatchResult {
  readonly total: number;
  readonly created: number;
  readonly updated: number;
  readonly errors: readonly WireBatchErrorItem[];
}

export interface DealAssertResult {
  readonly action: 'created' | 'updated';
  readonly dealId: string;
}

export interface LinkAssertResult {
  readonly action: 'created' | 'exists';
  readonly dealId: string;
  readonly contactId: string;
}

/** The six assert endpoints, typed; the only place that knows their paths and answers. */
export class Graph8Api {
  constructor(readonly client: UpstreamClient) {}

  assertRecord(
    kind: RecordKind,
    listId: number,
    fields: WireFields,
    call: UpstreamCallOptions,
  ): Promise<RecordAssertResult> {
    return this.client.put(
      { route: `${kind}/assert`, body: { list_id: listId, ...fields }, decode: decodeAssert },
      call,
    );
  }

  assertRecordBatch(
    kind: RecordKind,
    listId: number,
    items: readonly WireFields[],
    call: UpstreamCallOptions,
  ): Promise<RecordBatchResult> {
    return this.client.put(
      { route: `${kind}/assert/batch`, body: { list_id: listId, [kind]: items }, decode: decodeBatch },
      call,
    );
  }

  assertDeal(fields: WireFields, call: UpstreamCallOptions): Promise<DealAssertResult> {
    return this.client.put({ route: 'deals/assert', body: fields, decode: decodeDeal }, call);
  }

  async linkContactToDeal(contactId: string, dealId: string, call: UpstreamCallOptions): Promise<LinkAssertResult> {
    try {
      return await this.client.put(
        {
          route: 'contacts/{contact_id}/deals/assert',
          pathParameters: { contact_id: contactId },
          body: { deal_id: dealId },
          decode: decodeLink,
        },
        call,
      );
    } catch (error) {
      // graph8 says only "Deal not found": name what was asked for, so a list of links says which one.
      if (error instanceof UpstreamError && error.code === 'NOT_FOUND') {
        const asked = error.message.includes(dealId) ? `contact ${contactId}` : `deal ${dealId}, contact ${contactId}`;
        throw new UpstreamError('NOT_FOUND', `${error.message} (${asked})`, error.details);
      }
      throw error;
    }
  }
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isId = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';

function decodeAssert(data: unknown): RecordAssertResult | undefined {
  if (!isObject(data) || (data.action !== 'created' && data.action !== 'updated')) return undefined;
  return { action: data.action, count: isCount(data.count) ? data.count : 1 };
}

function decodeBatch(data: unknown): RecordBatchResult | undefined {
  if (!isObject(data) || !isCount(data.created) || !isCount(data.updated)) return undefined;
  const errors = data.errors ?? [];
  if (!Array.isArray(errors)) return undefined;
  return {
    total: isCount(data.total) ? data.total : data.created + data.updated + errors.length,
    created: data.created,
    updated: data.updated,
    errors: errors.map((item): WireBatchErrorItem => (isObject(item) ? item : { message: String(item) })),
  };
}

function decodeDeal(data: unknown): DealAssertResult | undefined {
  if (!isObject(data) || (data.action !== 'created' && data.action !== 'updated') || !isId(data.deal_id))
    return undefined;
  return { action: data.action, dealId: String(data.deal_id) };
}

function decodeLink(data: unknown): LinkAssertResult | undefined {
  if (!isObject(data) || (data.action !== 'created' && data.action !== 'exists')) return undefined;
  if (!isId(data.deal_id) || !isId(data.contact_id)) return undefined;
  return { action: data.action, dealId: String(data.deal_id), contactId: String(data.contact_id) };
}
