import { currencyCode, isoDate, nonBlankText, nonNegativeNumber, text } from './field-rules.js';
import { defineRecordTable } from './record-table.js';

/** Deals: every field of DealInput, declared once. */
export const dealTable = defineRecordTable({
  inputName: 'DealInput',
  description:
    'A deal to create or update, matched by name together with companyId. Fields left out or null are left unchanged.',
  fields: {
    name: {
      type: 'String',
      wire: 'name',
      rule: nonBlankText,
      required: true,
      description: 'The deal name; not blank. Part of the match key.',
    },
    companyId: {
      type: 'ID',
      wire: 'company_id',
      rule: text,
      description: 'The company the deal belongs to. Part of the match key.',
    },
    amount: { type: 'Float', wire: 'amount', rule: nonNegativeNumber, description: 'Deal value, 0 or more.' },
    currency: {
      type: 'String',
      wire: 'currency',
      rule: currencyCode,
      description: 'ISO 4217 currency code, such as USD.',
    },
    stageId: { type: 'ID', wire: 'stage_id', rule: text, description: "The pipeline stage's id upstream." },
    pipelineId: { type: 'ID', wire: 'pipeline_id', rule: text, description: "The pipeline's id upstream." },
    description: { type: 'String', wire: 'description', rule: text, description: 'Free text about the deal.' },
    closeDate: {
      type: 'String',
      wire: 'close_date',
      rule: isoDate,
      description: 'Expected close, as an ISO 8601 date (2026-12-31) or date-time.',
    },
  },
});
