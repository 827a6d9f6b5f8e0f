import { z } from 'zod';
import { builder } from '../builder.js';
import { companies, companyTable } from '../records/company.js';
import { argumentSchema, listId, nonEmptyListSchema } from './input-rules.js';
import { AssertPayload, BatchAssertPayload, CheckPayload } from './payloads.js';
import { recordInputType } from './record-input.js';
import { assertOneRecord, assertRecordList, checkRecordList } from './record-mutations.js';

export const CompanyInput = recordInputType(companyTable);

export const companyArgument = argumentSchema<typeof CompanyInput.$inferInput>(companyTable.rule);
export const companyListArgument = nonEmptyListSchema<typeof CompanyInput.$inferInput>(companyTable.rule);

/** The arguments of assertCompanies, checked as one: checkCompanies runs exactly these. */
const assertCompaniesArguments = z.object({ listId, companies: companyListArgument });

builder.mutationField('assertCompany', (t) =>
  t.field({
    type: AssertPayload,
    description: 'Create or update one company in a list (PUT /companies/assert).',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      company: t.arg({ type: CompanyInput, required: true, description: 'The company.' }),
    },
    validate: z.object({ listId, company: companyArgument }),
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
    validate: assertCompaniesArguments,
    resolve: (_root, args, context) => assertRecordList(companies, args.listId, args.companies, context),
  }),
);

builder.queryField('checkCompanies', (t) =>
  t.field({
    type: CheckPayload,
    description:
      'What assertCompanies would do with these rows, without writing anything: every issue, and the fold and chunk plan.',
    args: {
      listId: t.arg.int({ required: true, description: 'The list the rows are meant for.' }),
      companies: t.arg({ type: [CompanyInput], required: true, description: 'The companies to check.' }),
    },
    resolve: (_root, args, context) => checkRecordList(companies, assertCompaniesArguments, args, context),
  }),
);
