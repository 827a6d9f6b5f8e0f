import { z } from 'zod';
import { contactMatchKeys } from '../batch/match-key.js';
import { builder } from '../builder.js';
import { CONTACT_FIELDS, CONTACT_RESERVED_NAMES } from '../upstream/wire.js';
import {
  additionalFields,
  customFields,
  emailAddress,
  hostName,
  inputObjectRule,
  linkedinUrl,
  listId,
  listOf,
  text,
} from './input-rules.js';
import { AssertPayload, BatchAssertPayload } from './payloads.js';
import { assertOneRecord, assertRecordList, type RecordKindMapping } from './record-mutations.js';

const contacts: RecordKindMapping = { kind: 'contacts', fields: CONTACT_FIELDS, keysOf: contactMatchKeys };

export const ContactInput = builder.inputType('ContactInput', {
  description:
    'A contact to create or update. It is matched by workEmail, else by linkedinUrl: give at least one. Fields left out or null are left unchanged.',
  fields: (t) => ({
    workEmail: t.string({ description: 'Work e-mail address; the primary match key (matched case-insensitively).' }),
    linkedinUrl: t.string({
      description: 'LinkedIn profile URL (http or https, on linkedin.com); the match key when there is no workEmail.',
    }),
    firstName: t.string(),
    lastName: t.string(),
    jobTitle: t.string(),
    companyDomain: t.string({ description: "The contact's company as a bare host name, such as acme.com." }),
    personalEmails: t.stringList({ description: 'Personal e-mail addresses.' }),
    directPhone: t.string(),
    mobilePhone: t.string(),
    jobDepartment: t.string(),
    seniorityLevel: t.string(),
    city: t.string(),
    state: t.string(),
    country: t.string(),
    customFields: t.field({
      type: 'JSONObject',
      description:
        "The account's own custom fields (sent as custom_fields): any name of 1 to 128 characters; values are strings, numbers, booleans, null or lists of those.",
    }),
    createMissingFields: t.boolean({
      description:
        'Create custom fields that do not exist yet (sent as create_missing_fields); otherwise unknown ones are ignored.',
    }),
    additionalFields: t.field({
      type: 'JSONObject',
      description:
        'Any other upstream contact field, keyed by its upstream snake_case name (at most 100); not a field that has its own input field.',
    }),
  }),
});

const contactRule = inputObjectRule<typeof ContactInput.$inferInput>(
  {
    workEmail: emailAddress,
    linkedinUrl,
    firstName: text,
    lastName: text,
    jobTitle: text,
    companyDomain: hostName,
    personalEmails: listOf(emailAddress),
    directPhone: text,
    mobilePhone: text,
    jobDepartment: text,
    seniorityLevel: text,
    city: text,
    state: text,
    country: text,
    customFields,
    additionalFields: additionalFields(CONTACT_RESERVED_NAMES),
  },
  {
    holds: (contact) => Boolean(contact.workEmail || contact.linkedinUrl),
    message: 'give workEmail or linkedinUrl: the contact is matched by one of them',
  },
);

builder.mutationField('assertContact', (t) =>
  t.field({
    type: AssertPayload,
    description: 'Create or update one contact in a list (PUT /contacts/assert).',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      contact: t.arg({ type: ContactInput, required: true }),
    },
    validate: z.object({ listId, contact: contactRule.schema }),
    resolve: (_root, args, context) => assertOneRecord(contacts, args.listId, args.contact, context),
  }),
);

builder.mutationField('assertContacts', (t) =>
  t.field({
    type: BatchAssertPayload,
    description:
      'Create or update many contacts in a list: folded by match key, sent in upstream batches of at most 100 with bounded concurrency, every item accounted for.',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      contacts: t.arg({ type: [ContactInput], required: true, description: 'The contacts, 1 to maxItemsPerMutation.' }),
    },
    validate: z.object({ listId, contacts: contactRule.nonEmptyListSchema }),
    resolve: (_root, args, context) => assertRecordList(contacts, args.listId, 'contacts', args.contacts, context),
  }),
);
