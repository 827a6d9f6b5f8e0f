import { randomBytes } from 'node:crypto';
import { COMPANY_MATCH_FIELDS, CONTACT_MATCH_FIELDS, dealMatchKey, type MatchField } from './matching.js';

export type StoredFields = Record<string, unknown>;

export interface StoredRecord {
  readonly id: number;
  fields: StoredFields;
}

export type AssertOutcome = { action: 'created' | 'updated'; id: number } | { error: string; field: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Records of one kind. A request is matched by the first of the match fields it
 * carries a usable value for (and by that field only); it finds a record whose
 * stored value for that field compares equal. Each match field has its own
 * index, kept in step with the records' current values.
 */
class MatchedTable {
  readonly records = new Map<number, StoredRecord>();
  /** Per match field: comparable value -> ids of the records holding it now. */
  private readonly indexes: ReadonlyArray<Map<string, Set<number>>>;
  private nextId = 1;

  constructor(
    private readonly matchFields: readonly MatchField[],
    private readonly missingKeyMessage: string,
  ) {
    this.indexes = matchFields.map(() => new Map<string, Set<number>>());
  }

  assert(fields: StoredFields): AssertOutcome {
    const key = this.requestKey(fields);
    if (key === undefined) return { error: this.missingKeyMessage, field: this.matchFields[0]?.name ?? 'body' };
    const existing = this.lookUp(key);
    if (existing) {
      this.unindex(existing);
      existing.fields = mergeFields(existing.fields, fields);
      this.index(existing);
      return { action: 'updated', id: existing.id };
    }
    const created: StoredRecord = { id: this.nextId++, fields: mergeFields({}, fields) };
    this.records.set(created.id, created);
    this.index(created);
    return { action: 'created', id: created.id };
  }

  /** The record a request carrying these fields would update, if any. */
  find(fields: StoredFields): StoredRecord | undefined {
    const key = this.requestKey(fields);
    return key === undefined ? undefined : this.lookUp(key);
  }

  /** The match field a request is matched by, and its comparable value. */
  private requestKey(fields: StoredFields): { field: number; value: string } | undefined {
    for (const [field, matchField] of this.matchFields.entries()) {
      const value = matchField.comparable(fields[matchField.name]);
      if (value !== undefined) return { field, value };
    }
    return undefined;
  }

  /** When several records hold the value (a fallback key shared), the oldest wins. */
  private lookUp(key: { field: number; value: string }): StoredRecord | undefined {
    const ids = this.indexes[key.field]?.get(key.value);
    if (ids === undefined) return undefined;
    let oldest: number | undefined;
    for (const id of ids) if (oldest === undefined || id < oldest) oldest = id;
    return oldest === undefined ? undefined : this.records.get(oldest);
  }

  private index(record: StoredRecord): void {
    this.matchFields.forEach((matchField, field) => {
      const value = matchField.comparable(record.fields[matchField.name]);
      const index = this.indexes[field];
      if (value === undefined || index === undefined) return;
      let ids = index.get(value);
      if (ids === undefined) {
        ids = new Set();
        index.set(value, ids);
      }
      ids.add(record.id);
    });
  }

  private unindex(record: StoredRecord): void {
    this.matchFields.forEach((matchField, field) => {
      const value = matchField.comparable(record.fields[matchField.name]);
      const ids = value === undefined ? undefined : this.indexes[field]?.get(value);
      if (value === undefined || ids === undefined) return;
      ids.delete(record.id);
      if (ids.size === 0) this.indexes[field]?.delete(value);
    });
  }
}

/** A partial update: fields carried replace stored ones; custom fields merge name by name. */
function mergeFields(stored: StoredFields, update: StoredFields): StoredFields {
  const merged: StoredFields = { ...stored };
  for (const [name, value] of Object.entries(update)) {
    if (name === 'list_id') continue;
    if (name === 'custom_fields' && isPlainObject(value) && isPlainObject(stored.custom_fields)) {
      merged.custom_fields = { ...stored.custom_fields, ...value };
    } else {
      merged[name] = value;
    }
  }
  return merged;
}

export interface StoredDeal {
  readonly dealId: string;
  fields: StoredFields;
}

/** The simulator's whole memory: what the upstream would hold after the calls it answered. */
export class SimulatorStore {
  readonly contacts = new MatchedTable(CONTACT_MATCH_FIELDS, 'work_email or linkedin_url is required');
  readonly companies = new MatchedTable(COMPANY_MATCH_FIELDS, 'domain or linkedin_url is required');
  readonly deals = new Map<string, StoredDeal>();
  private readonly dealsByMatchKey = new Map<string, string>();
  /** Contact id, then deal id, joined by a NUL. */
  readonly links = new Set<string>();

  assertDeal(fields: StoredFields & { name: string }): { action: 'created' | 'updated'; dealId: string } {
    const matchKey = dealMatchKey(fields);
    const existingId = this.dealsByMatchKey.get(matchKey);
    const existing = existingId === undefined ? undefined : this.deals.get(existingId);
    if (existing) {
      existing.fields = mergeFields(existing.fields, fields);
      return { action: 'updated', dealId: existing.dealId };
    }
    const dealId = `deal-${randomBytes(6).toString('hex')}`;
    this.deals.set(dealId, { dealId, fields: mergeFields({}, fields) });
    this.dealsByMatchKey.set(matchKey, dealId);
    return { action: 'created', dealId };
  }

  /** Undefined when the deal is unknown. */
  assertLink(contactId: string, dealId: string): 'created' | 'exists' | undefined {
    if (!this.deals.has(dealId)) return undefined;
    const link = `${contactId}\u0000${dealId}`;
    if (this.links.has(link)) return 'exists';
    this.links.add(link);
    return 'created';
  }
}
