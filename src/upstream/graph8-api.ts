import type { UpstreamCall, UpstreamClient } from './client.js';
import { isObject } from './upstream-error.js';
import type {
  WireAssertResult,
  WireBatchErrorItem,
  WireBatchResult,
  WireDealResult,
  WireFields,
  WireLinkResult,
} from './wire.js';

export type RecordKind = 'contacts' | 'companies';

/** Most items one upstream batch call carries. */
export const UPSTREAM_BATCH_LIMIT = 100;

/** The six assert endpoints, typed; the only place that knows their paths and answers. */
export class Graph8Api {
  constructor(readonly client: UpstreamClient) {}

  assertRecord(kind: RecordKind, listId: number, fields: WireFields, call: UpstreamCall): Promise<WireAssertResult> {
    return this.client.put(`${kind}/assert`, `/${kind}/assert`, { list_id: listId, ...fields }, decodeAssert, call);
  }

  assertRecordBatch(
    kind: RecordKind,
    listId: number,
    items: readonly WireFields[],
    call: UpstreamCall,
  ): Promise<WireBatchResult> {
    return this.client.put(
      `${kind}/assert/batch`,
      `/${kind}/assert/batch`,
      { list_id: listId, [kind]: items },
      decodeBatch,
      call,
    );
  }

  assertDeal(fields: WireFields, call: UpstreamCall): Promise<WireDealResult> {
    return this.client.put('deals/assert', '/deals/assert', fields, decodeDeal, call);
  }

  linkContactToDeal(contactId: string, dealId: string, call: UpstreamCall): Promise<WireLinkResult> {
    const path = `/contacts/${encodeURIComponent(contactId)}/deals/assert`;
    return this.client.put('contacts/{contact_id}/deals/assert', path, { deal_id: dealId }, decodeLink, call);
  }
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isId = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';

function decodeAssert(data: unknown): WireAssertResult | undefined {
  if (!isObject(data) || (data.action !== 'created' && data.action !== 'updated')) return undefined;
  return { action: data.action, count: isCount(data.count) ? data.count : 1 };
}

function decodeBatch(data: unknown): WireBatchResult | undefined {
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

function decodeDeal(data: unknown): WireDealResult | undefined {
  if (!isObject(data) || (data.action !== 'created' && data.action !== 'updated') || !isId(data.deal_id))
    return undefined;
  return { action: data.action, dealId: String(data.deal_id) };
}

function decodeLink(data: unknown): WireLinkResult | undefined {
  if (!isObject(data) || (data.action !== 'created' && data.action !== 'exists')) return undefined;
  if (!isId(data.deal_id) || !isId(data.contact_id)) return undefined;
  return { action: data.action, dealId: String(data.deal_id), contactId: String(data.contact_id) };
}
