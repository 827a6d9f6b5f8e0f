import { z } from 'zod';
import { builder } from '../builder.js';
import { contacts, contactTable } from '../records/contact.js';
import { argumentSchema, listId, nonEmptyListSchema } from './input-rules.js';
import { AssertPayload, BatchAssertPayload, CheckPayload } from './payloads.js';
import { recordInputType } from './record-input.js';
import { assertOneRecord, assertRecordList, checkRecordList } from './record-mutations.js';

export const ContactInput = recordInputType(contactTable);

export const contactArgument = argumentSchema<typeof ContactInput.$inferInput>(contactTable.rule);
export const contactListArgument = nonEmptyListSchema<typeof ContactInput.$inferInput>(contactTable.rule);

/** The arguments of assertContacts, checked as one: checkContacts runs exactly these. */
const assertContactsArguments = z.object({ listId, contacts: contactListArgument });

builder.mutationField('assertContact', (t) =>
  t.field({
    type: AssertPayload,
    description: 'Create or update one contact in a list (PUT /contacts/assert).',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      contact: t.arg({ type: ContactInput, required: true, description: 'The contact.' }),
    },
    validate: z.object({ listId, contact: contactArgument }),
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
    validate: assertContactsArguments,
    resolve: (_root, args, context) => assertRecordList(contacts, args.listId, args.contacts, context),
  }),
);

builder.queryField('checkContacts', (t) =>
  t.field({
    type: CheckPayload,
    description:
      'What assertContacts would do with these rows, without writing anything: every issue, and the fold and chunk plan.',
    args: {
      listId: t.arg.int({ required: true, description: 'The list the rows are meant for.' }),
      contacts: t.arg({ type: [ContactInput], required: true, description: 'The contacts to check.' }),
    },
    resolve: (_root, args, context) => checkRecordList(contacts, assertContactsArguments, args, context),
  }),
);
