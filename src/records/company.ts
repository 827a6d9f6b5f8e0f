import { companyMatchKeys } from '../batch/match-key.js';
import { hostName, linkedinUrl, nonNegativeNumber, text } from './field-rules.js';
import { type BatchedRecords, defineRecordTable } from './record-table.js';

/** Companies: every field of CompanyInput, declared once. */
export const companyTable = defineRecordTable({
  inputName: 'CompanyInput',
  description:
    'A company to create or update. It is matched by domain, else by linkedinUrl: give at least one. Fields left out or null are left unchanged.',
  fields: {
    domain: {
      type: 'String',
      wire: 'domain',
      rule: hostName,
      description: 'Bare host name such as acme.com; the primary match key (matched case-insensitively).',
    },
    linkedinUrl: {
      type: 'String',
      wire: 'linkedin_url',
      rule: linkedinUrl,
      description: 'LinkedIn company page URL (http or https, on linkedin.com); the match key when there is no domain.',
    },
    name: { type: 'String', wire: 'name', rule: text, description: 'Company name, such as Acme Inc.' },
    industry: { type: 'String', wire: 'industry', rule: text, description: 'Industry, such as Technology.' },
    employeeCount: {
      type: 'Int',
      wire: 'employee_count',
      rule: nonNegativeNumber,
      description: 'Number of employees, 0 or more.',
    },
  },
  additionalFields:
    'Any other upstream company field, keyed by its upstream snake_case name (at most 100); not a field that has its own input field.',
  whole: {
    holds: (company) => Boolean(company.domain || company.linkedinUrl),
    message: 'give domain or linkedinUrl: the company is matched by one of them',
  },
});

export const companies: BatchedRecords = { kind: 'companies', table: companyTable, keysOf: companyMatchKeys };
