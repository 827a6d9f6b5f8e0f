import { contactMatchKeys } from '../batch/match-key.js';
import { customFields, emailAddress, hostName, linkedinUrl, listOf, text, trueOrFalse } from './field-rules.js';
import { type BatchedRecords, defineRecordTable } from './record-table.js';

/** Contacts: every field of ContactInput, declared once. A new field is one entry here. */
export const contactTable = defineRecordTable({
  inputName: 'ContactInput',
  description:
    'A contact to create or update. It is matched by workEmail, else by linkedinUrl: give at least one. Fields left out or null are left unchanged.',
  fields: {
    workEmail: {
      type: 'String',
      wire: 'work_email',
      rule: emailAddress,
      description: 'Work e-mail address; the primary match key (matched case-insensitively).',
    },
    linkedinUrl: {
      type: 'String',
      wire: 'linkedin_url',
      rule: linkedinUrl,
      description: 'LinkedIn profile URL (http or https, on linkedin.com); the match key when there is no workEmail.',
    },
    firstName: { type: 'String', wire: 'first_name', rule: text, description: 'Given name.' },
    lastName: { type: 'String', wire: 'last_name', rule: text, description: 'Family name.' },
    jobTitle: { type: 'String', wire: 'job_title', rule: text, description: 'Job title, such as VP of Sales.' },
    companyDomain: {
      type: 'String',
      wire: 'company_domain',
      rule: hostName,
      description: "The contact's company as a bare host name, such as acme.com.",
    },
    personalEmails: {
      type: 'StringList',
      wire: 'personal_emails',
      rule: listOf(emailAddress),
      description: 'Personal e-mail addresses.',
    },
    directPhone: { type: 'String', wire: 'direct_phone', rule: text, description: 'Direct line, as written.' },
    mobilePhone: { type: 'String', wire: 'mobile_phone', rule: text, description: 'Mobile number, as written.' },
    jobDepartment: { type: 'String', wire: 'job_department', rule: text, description: 'Department, such as Sales.' },
    seniorityLevel: { type: 'String', wire: 'seniority_level', rule: text, description: 'Seniority, such as VP.' },
    city: { type: 'String', wire: 'city', rule: text, description: 'City.' },
    state: { type: 'String', wire: 'state', rule: text, description: 'State, region or province.' },
    country: { type: 'String', wire: 'country', rule: text, description: 'Country.' },
    customFields: {
      type: 'JSONObject',
      wire: 'custom_fields',
      rule: customFields,
      description:
        "The account's own custom fields (sent as custom_fields): any name of 1 to 128 characters; values are strings, numbers, booleans, null or lists of those.",
    },
    createMissingFields: {
      type: 'Boolean',
      wire: 'create_missing_fields',
      rule: trueOrFalse,
      description:
        'Create custom fields that do not exist yet (sent as create_missing_fields); otherwise unknown ones are ignored.',
    },
  },
  additionalFields:
    'Any other upstream contact field, keyed by its upstream snake_case name (at most 100); not a field that has its own input field.',
  whole: {
    holds: (contact) => Boolean(contact.workEmail || contact.linkedinUrl),
    message: 'give workEmail or linkedinUrl: the contact is matched by one of them',
  },
});

export const contacts: BatchedRecords = { kind: 'contacts', table: contactTable, keysOf: contactMatchKeys };
