import { randomBytes } from 'node:crypto';
import { companyMatchKeys, contactMatchKeys } from '../batch/match-key.js';
import { isObject } from '../upstream/upstream-error.js';

export type StoredFields = Record<string, unknown>;

export interface StoredRecord {
  readonly id: number;
  fields: StoredFields;
}

export type AssertOutcome = { action: 'created' | 'updated'; id: number } | { error: string; field: string };

/**
 * Records of one kind with an index per match key: the first key of an item is
 * the one it is matched by, every key of a stored record points at it.
 */
class MatchedTable {
  readonly records = new Map<number, StoredRecord>();
  private readonly byKey = new Map<string, number>();
  private nextId = 1;

  constructor(
    private readonly keysOf: (fields: StoredFields) => string[],
    private readonly missingKeyMessage: string,
    private readonly primaryField: string,
  ) {}

  assert(fields: StoredFields): AssertOutcome {
    const keys = this.keysOf(fields);
    const matchKey = keys[0];
    if (matchKey === undefined) return { error: this.missingKeyMessage, field: this.primaryField };
    const existingId = this.byKey.get(matchKey);
    const existing = existingId === undefined ? undefined : this.records.get(existingId);
    if (existing) {
      existing.fields = mergeFields(existing.fields, fields);
      this.index(existing);
      return { action: 'updated', id: existing.id };
    }
    const created: StoredRecord = { id: this.nextId++, fields: mergeFields({}, fields) };
    this.records.set(created.id, created);
    this.index(created);
    return { action: 'created', id: created.id };
  }

  find(fields: StoredFields): StoredRecord | undefined {
    const matchKey = this.keysOf(fields)[0];
    const id = matchKey === undefined ? undefined : this.byKey.get(matchKey);
    return id === undefined ? undefined : this.records.get(id);
  }

  private index(record: StoredRecord): void {
    for (const key of this.keysOf(record.fields)) this.byKey.set(key, record.id);
  }
}

/** A partial update: fields carried replace stored ones; custom fields merge name by name. */
function mergeFields(stored: StoredFields, update: StoredFields): StoredFields {
  const merged: StoredFields = { ...stored };
  for (const [name, value] of Object.entries(update)) {
    if (name === 'list_id') continue;
    if (name === 'custom_fields' && isObject(value) && isObject(stored.custom_fields)) {
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
  readonly contacts = new MatchedTable(contactMatchKeys, 'work_email or linkedin_url is required', 'work_email');
  readonly companies = new MatchedTable(companyMatchKeys, 'domain or linkedin_url is required', 'domain');
  readonly deals = new Map<string, StoredDeal>();
  private readonly dealsByMatchKey = new Map<string, string>();
  /** Contact id, then deal id, joined by a NUL. */
  readonly links = new Set<string>();

  assertDeal(fields: StoredFields & { name: string }): { action: 'created' | 'updated'; dealId: string } {
    const matchKey = `${fields.name}\u0000${fields.company_id ?? ''}`;
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
