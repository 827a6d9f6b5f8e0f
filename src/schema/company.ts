import { z } from 'zod';
import { companyMatchKeys } from '../batch/match-key.js';
import { builder } from '../builder.js';
import { COMPANY_FIELDS, COMPANY_RESERVED_NAMES } from '../upstream/wire.js';
import {
  additionalFields,
  hostName,
  inputObjectRule,
  linkedinUrl,
  listId,
  nonNegativeNumber,
  text,
} from './input-rules.js';
import { AssertPayload, BatchAssertPayload } from './payloads.js';
import { assertOneRecord, assertRecordList, type RecordKindMapping } from './record-mutations.js';

const companies: RecordKindMapping = { kind: 'companies', fields: COMPANY_FIELDS, keysOf: companyMatchKeys };

export const CompanyInput = builder.inputType('CompanyInput', {
  description:
    'A company to create or update. It is matched by domain, else by linkedinUrl: give at least one. Fields left out or null are left unchanged.',
  fields: (t) => ({
    domain: t.string({
      description: 'Bare host name such as acme.com; the primary match key (matched case-insensitively).',
    }),
    linkedinUrl: t.string({
      description: 'LinkedIn company page URL (http or https, on linkedin.com); the match key when there is no domain.',
    }),
    name: t.string(),
    industry: t.string(),
    employeeCount: t.int({ description: 'Number of employees, 0 or more.' }),
    additionalFields: t.field({
      type: 'JSONObject',
      description:
        'Any other upstream company field, keyed by its upstream snake_case name (at most 100); not a field that has its own input field.',
    }),
  }),
});

const companyRule = inputObjectRule<typeof CompanyInput.$inferInput>(
  {
    domain: hostName,
    linkedinUrl,
    name: text,
    industry: text,
    employeeCount: nonNegativeNumber,
    additionalFields: additionalFields(COMPANY_RESERVED_NAMES),
  },
  {
    holds: (company) => Boolean(company.domain || company.linkedinUrl),
    message: 'give domain or linkedinUrl: the company is matched by one of them',
  },
);

builder.mutationField('assertCompany', (t) =>
  t.field({
    type: AssertPayload,
    description: 'Create or update one company in a list (PUT /companies/assert).',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      company: t.arg({ type: CompanyInput, required: true }),
    },
    validate: z.object({ listId, company: companyRule.schema }),
    resolve: (_root, args, context) => assertOneRecord(companies, args.listId, args.company, context),
  }),
);

builder.mutationField('assertCompanies', (t) =>
  t.field({
    type: BatchAssertPayload,
    description:
      'Create or update many companies in a list: folded by match key, sent in upstream batches of at most 100 with bounded concurrency, every item accounted for.',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      companies: t.arg({
        type: [CompanyInput],
        required: true,
        description: 'The companies, 1 to maxItemsPerMutation.',
      }),
    },
    validate: z.object({ listId, companies: companyRule.nonEmptyListSchema }),
    resolve: (_root, args, context) => assertRecordList(companies, args.listId, 'companies', args.companies, context),
  }),
);
