import { z } from 'zod';
import { builder } from '../builder.js';
import { asClientError } from '../errors.js';
import { DEAL_FIELDS, toWireFields, type WireDealResult, type WireLinkResult } from '../upstream/wire.js';
import {
  currencyCode,
  inputObjectRule,
  isoDate,
  nonBlankText,
  nonNegativeNumber,
  recordId,
  text,
} from './input-rules.js';
import { AssertAction } from './payloads.js';

export const DealInput = builder.inputType('DealInput', {
  description:
    'A deal to create or update, matched by name together with companyId. Fields left out or null are left unchanged.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The deal name; not blank. Part of the match key.' }),
    companyId: t.id({ description: 'The company the deal belongs to. Part of the match key.' }),
    amount: t.float({ description: 'Deal value, 0 or more.' }),
    currency: t.string({ description: 'ISO 4217 currency code, such as USD.' }),
    stageId: t.id(),
    pipelineId: t.id(),
    description: t.string(),
    closeDate: t.string({ description: 'Expected close, as an ISO 8601 date (2026-12-31) or date-time.' }),
  }),
});

const dealRule = inputObjectRule<typeof DealInput.$inferInput>({
  name: nonBlankText,
  companyId: text,
  amount: nonNegativeNumber,
  currency: currencyCode,
  stageId: text,
  pipelineId: text,
  description: text,
  closeDate: isoDate,
});

const AssertDealPayload = builder.objectRef<WireDealResult>('AssertDealPayload').implement({
  description: 'The result of asserting one deal.',
  fields: (t) => ({
    action: t.field({ type: AssertAction, resolve: (result) => result.action }),
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

const LinkPayload = builder.objectRef<WireLinkResult>('LinkPayload').implement({
  description: 'The result of linking a contact to a deal.',
  fields: (t) => ({
    action: t.field({ type: LinkAction, resolve: (result) => result.action }),
    contactId: t.exposeID('contactId'),
    dealId: t.exposeID('dealId'),
  }),
});

builder.mutationField('assertDeal', (t) =>
  t.field({
    type: AssertDealPayload,
    description: 'Create or update one deal (PUT /deals/assert).',
    args: { deal: t.arg({ type: DealInput, required: true }) },
    validate: z.object({ deal: dealRule.schema }),
    resolve: async (_root, args, context) => {
      const call = context.upstreamCall();
      try {
        return await context.api.assertDeal(toWireFields(args.deal, DEAL_FIELDS), call);
      } catch (error) {
        throw asClientError(error);
      }
    },
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
    resolve: async (_root, args, context) => {
      const call = context.upstreamCall();
      try {
        return await context.api.linkContactToDeal(args.contactId, args.dealId, call);
      } catch (error) {
        throw asClientError(error);
      }
    },
  }),
);
