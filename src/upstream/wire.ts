/**
 * The upstream's snake_case wire shapes and the one mapping from the GraphQL
 * inputs' camelCase names to them.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type WireFields = Record<string, unknown>;

/** GraphQL input field name -> upstream field name, for fields sent as they are. */
export const CONTACT_FIELDS = {
  workEmail: 'work_email',
  linkedinUrl: 'linkedin_url',
  firstName: 'first_name',
  lastName: 'last_name',
  jobTitle: 'job_title',
  companyDomain: 'company_domain',
  personalEmails: 'personal_emails',
  directPhone: 'direct_phone',
  mobilePhone: 'mobile_phone',
  jobDepartment: 'job_department',
  seniorityLevel: 'seniority_level',
  city: 'city',
  state: 'state',
  country: 'country',
  customFields: 'custom_fields',
  createMissingFields: 'create_missing_fields',
} as const;

export const COMPANY_FIELDS = {
  domain: 'domain',
  linkedinUrl: 'linkedin_url',
  name: 'name',
  industry: 'industry',
  employeeCount: 'employee_count',
} as const;

export const DEAL_FIELDS = {
  name: 'name',
  companyId: 'company_id',
  amount: 'amount',
  currency: 'currency',
  stageId: 'stage_id',
  pipelineId: 'pipeline_id',
  description: 'description',
  closeDate: 'close_date',
} as const;

/** Upstream names that `additionalFields` may not set, because an input field or the request owns them. */
export const CONTACT_RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.values(CONTACT_FIELDS), 'list_id']);
export const COMPANY_RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.values(COMPANY_FIELDS), 'list_id']);

type FieldTable = Readonly<Record<string, string>>;

/**
 * Maps one input to its wire fields: null and absent fields are left out (an
 * update changes only what it carries), `additionalFields` pass through as named.
 */
export function toWireFields(input: Readonly<Record<string, unknown>>, fields: FieldTable): WireFields {
  const wire: WireFields = {};
  const additional = input.additionalFields;
  if (typeof additional === 'object' && additional !== null) Object.assign(wire, additional);
  for (const name in fields) {
    const value = input[name];
    if (value !== null && value !== undefined) wire[fields[name] as string] = value;
  }
  return wire;
}

export interface WireAssertResult {
  readonly action: 'created' | 'updated';
  readonly count: number;
}

export interface WireBatchErrorItem {
  readonly index?: unknown;
  readonly message?: unknown;
  readonly [other: string]: unknown;
}

export interface WireBatchResult {
  readonly total: number;
  readonly created: number;
  readonly updated: number;
  readonly errors: readonly WireBatchErrorItem[];
}

export interface WireDealResult {
  readonly action: 'created' | 'updated';
  readonly dealId: string;
}

export interface WireLinkResult {
  readonly action: 'created' | 'exists';
  readonly dealId: string;
  readonly contactId: string;
}
