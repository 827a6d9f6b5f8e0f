import { z } from 'zod';
import { assertDealList, type BatchDealResult, type BatchLinkResult, linkContactList } from '../batch/bulk-writes.js';
import { builder } from '../builder.js';
import { dealTable } from '../records/deal.js';
import { listOf, recordId as recordIdRule } from '../records/field-rules.js';
import type { DealAssertResult, LinkAssertResult } from '../upstream/graph8-api.js';
import { argumentSchema, assertWithinListCap, nonEmptyListSchema, recordId } from './input-rules.js';
import { AssertAction, BatchItemErrorRef } from './payloads.js';
import { recordInputType } from './record-input.js';

export const DealInput = recordInputType(dealTable);

const dealArgument = argumentSchema<typeof DealInput.$inferInput>(dealTable.rule);

/** A deal's answer, and the contacts assertDeal was asked to link to it (none: no links asked for). */
type DealPayloadSource = DealAssertResult & { readonly linkContactIds?: readonly string[] | null };

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

const AssertDealPayload = builder.objectRef<DealPayloadSource>('AssertDealPayload').implement({
  description: 'The result of asserting one deal.',
  fields: (t) => ({
    action: t.field({
      type: AssertAction,
      description: 'Whether the deal was created or an existing one updated.',
      resolve: (result) => result.action,
    }),
    dealId: t.exposeID('dealId', { description: "The deal's id upstream, for linkContactToDeal." }),
    links: t.field({
      type: [LinkPayload],
      nullable: true,
      description:
        "The links asked for with assertDeal's contactIds, in their order; null when none were asked for (or when one failed: its error says why).",
      resolve: (result, _args, context) => {
        const contactIds = result.linkContactIds;
        if (contactIds == null) return null;
        const { links } = context.loaders();
        return Promise.all(contactIds.map((contactId) => links.load({ contactId, dealId: result.dealId })));
      },
    }),
  }),
});

const BatchDealPayload = builder.objectRef<BatchDealResult>('BatchDealPayload').implement({
  description:
    'The result of asserting a list of deals, one call per distinct deal. Every input is accounted for: total = created + updated + failed.',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Deals in the input list.' }),
    created: t.exposeInt('created', { description: 'Inputs whose deal was created (a repeat counts as its first).' }),
    updated: t.exposeInt('updated', { description: 'Inputs whose deal existed and was updated.' }),
    failed: t.exposeInt('failed', { description: 'Inputs not written; each has one entry in errors.' }),
    deduplicated: t.exposeInt('deduplicated', {
      description: 'Deals sent once for several inputs with the same match key (name, any case, and companyId).',
    }),
    results: t.field({
      type: [AssertDealPayload],
      nullable: { list: false, items: true },
      description: 'One per input deal, in input order; null where it failed.',
      resolve: (result) => result.results,
    }),
    errors: t.field({
      type: [BatchItemErrorRef],
      description: 'One entry per failed input, in input order.',
      resolve: (result) => result.errors,
    }),
  }),
});

const BatchLinkPayload = builder.objectRef<BatchLinkResult>('BatchLinkPayload').implement({
  description:
    'The result of linking a list of contacts to a deal, one call per distinct contact. total = created + exists + failed.',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Contact ids in the input list.' }),
    created: t.exposeInt('created', { description: 'Inputs whose link was made (a repeat counts as its first).' }),
    exists: t.exposeInt('exists', { description: 'Inputs whose link was already there.' }),
    failed: t.exposeInt('failed', { description: 'Inputs not linked; each has one entry in errors.' }),
    deduplicated: t.exposeInt('deduplicated', { description: 'Repeated contact ids, sent once.' }),
    errors: t.field({
      type: [BatchItemErrorRef],
      description: 'One entry per failed input, in input order (a 404 is REJECTED, with the answer as detail).',
      resolve: (result) => result.errors,
    }),
  }),
});

/** assertDeal's optional contactIds: an empty list is fine (links: []). */
const contactIdList = argumentSchema<string[]>(listOf(recordIdRule));

builder.mutationField('assertDeal', (t) =>
  t.field({
    type: AssertDealPayload,
    description:
      'Create or update one deal (PUT /deals/assert), and link contacts to it once it exists (PUT /contacts/{id}/deals/assert each).',
    args: {
      deal: t.arg({ type: DealInput, required: true, description: 'The deal.' }),
      contactIds: t.arg.idList({
        required: false,
        description: 'Contacts to link to the deal, in order; each 1 to 64 letters, digits, _ or -.',
      }),
    },
    validate: z.object({ deal: dealArgument, contactIds: contactIdList.nullish() }),
    resolve: async (_root, args, context) => {
      assertWithinListCap({ contactIds: args.contactIds ?? [] }, context.services.limits.maxItemsPerMutation);
      const result = await context.loaders().deals.load(dealTable.toWire(args.deal));
      return { ...result, linkContactIds: args.contactIds ?? null };
    },
  }),
);

builder.mutationField('assertDeals', (t) =>
  t.field({
    type: BatchDealPayload,
    description:
      'Create or update many deals: folded by match key, one upstream call per distinct deal, at most UPSTREAM_CONCURRENCY calls in flight per HTTP request, every input accounted for.',
    args: {
      deals: t.arg({ type: [DealInput], required: true, description: 'The deals, 1 to maxItemsPerMutation.' }),
    },
    validate: z.object({ deals: nonEmptyListSchema<typeof DealInput.$inferInput>(dealTable.rule) }),
    resolve: (_root, args, context) => {
      assertWithinListCap({ deals: args.deals }, context.services.limits.maxItemsPerMutation);
      return assertDealList(
        context.loaders().deals,
        args.deals.map((deal) => dealTable.toWire(deal)),
      );
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
    resolve: (_root, args, context) => context.loaders().links.load({ contactId: args.contactId, dealId: args.dealId }),
  }),
);

builder.mutationField('linkContactsToDeal', (t) =>
  t.field({
    type: BatchLinkPayload,
    description:
      'Link many contacts to one deal: one upstream call per distinct contact, at most UPSTREAM_CONCURRENCY in flight per HTTP request; a 404 fails that contact only.',
    args: {
      dealId: t.arg.id({ required: true, description: 'A deal id from assertDeal; 1 to 64 letters, digits, _ or -.' }),
      contactIds: t.arg.idList({
        required: true,
        description: 'The contacts, 1 to maxItemsPerMutation; each 1 to 64 letters, digits, _ or -.',
      }),
    },
    validate: z.object({ dealId: recordId, contactIds: nonEmptyListSchema<string>(recordIdRule) }),
    resolve: (_root, args, context) => {
      assertWithinListCap({ contactIds: args.contactIds }, context.services.limits.maxItemsPerMutation);
      return linkContactList(context.loaders().links, args.dealId, args.contactIds);
    },
  }),
);
