import { z } from 'zod';
import { builder } from '../builder.js';
import { dealTable } from '../records/deal.js';
import type { DealAssertResult, LinkAssertResult } from '../upstream/graph8-api.js';
import { argumentSchema, recordId } from './input-rules.js';
import { AssertAction } from './payloads.js';
import { recordInputType } from './record-input.js';

export const DealInput = recordInputType(dealTable);

const dealArgument = argumentSchema<typeof DealInput.$inferInput>(dealTable.rule);

const AssertDealPayload = builder.objectRef<DealAssertResult>('AssertDealPayload').implement({
  description: 'The result of asserting one deal.',
  fields: (t) => ({
    action: t.field({
      type: AssertAction,
      description: 'Whether the deal was created or an existing one updated.',
      resolve: (result) => result.action,
    }),
    dealId: t.exposeID('dealId', { description: "The deal's id upstream, for linkContactToDeal." }),
  }),
});

const LinkAction = builder.enumType('LinkAction', {
  description: 'What asserting a contact-deal link did.',
  values: {
    CREATED: { value: 'created', description: 'The link was made.' },
    EXISTS: { value: 'exists', description: 'The link was already there; nothing changed.' },
  } as const,
});

const LinkPayload = builder.objectRef<LinkAssertResult>('LinkPayload').implement({
  description: 'The result of linking a contact to a deal.',
  fields: (t) => ({
    action: t.field({
      type: LinkAction,
      description: 'Whether the link was made or was already there.',
      resolve: (result) => result.action,
    }),
    contactId: t.exposeID('contactId', { description: 'The contact linked.' }),
    dealId: t.exposeID('dealId', { description: 'The deal linked.' }),
  }),
});

builder.mutationField('assertDeal', (t) =>
  t.field({
    type: AssertDealPayload,
    description: 'Create or update one deal (PUT /deals/assert).',
    args: { deal: t.arg({ type: DealInput, required: true, description: 'The deal.' }) },
    validate: z.object({ deal: dealArgument }),
    resolve: (_root, args, context) =>
      context.services.api.assertDeal(dealTable.toWire(args.deal), context.authorizeUpstream()),
  }),
);

builder.mutationField('linkContactToDeal', (t) =>
  t.field({
    type: LinkPayload,
    description:
      'Link a contact to a deal (PUT /contacts/{contactId}/deals/assert). Linking twice is not an error: the second answers EXISTS.',
    args: {
      contactId: t.arg.id({ required: true, description: '1 to 64 letters, digits, _ or -.' }),
      dealId: t.arg.id({ required: true, description: 'A deal id from assertDeal; 1 to 64 letters, digits, _ or -.' }),
    },
    validate: z.object({ contactId: recordId, dealId: recordId }),
    resolve: (_root, args, context) =>
      context.services.api.linkContactToDeal(args.contactId, args.dealId, context.authorizeUpstream()),
  }),
);
