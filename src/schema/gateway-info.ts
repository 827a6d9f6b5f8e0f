import { builder } from '../builder.js';
import type { GatewayDescription } from '../context.js';
import { UPSTREAM_BATCH_LIMIT } from '../upstream/graph8-api.js';

const UpstreamKind = builder.enumType('UpstreamKind', {
  description: 'Where the gateway sends its writes.',
  values: {
    LIVE: { description: "graph8's API (or another upstream named by GRAPH8_API_URL)." },
    SIMULATOR: { description: 'The built-in simulator, started in the same process because nothing was configured.' },
  } as const,
});

interface GatewayInfoShape extends GatewayDescription {
  readonly maxItemsPerMutation: number;
}

const GatewayInfo = builder.objectRef<GatewayInfoShape>('GatewayInfo').implement({
  description: 'What this gateway accepts and where it sends its writes.',
  fields: (t) => ({
    version: t.exposeString('version', { description: "The gateway's version." }),
    upstream: t.field({
      type: UpstreamKind,
      description: 'Where the writes go: graph8 itself, or the built-in simulator.',
      resolve: (info) => info.upstream,
    }),
    chunkSize: t.int({
      description: `Most items one upstream batch call carries (${UPSTREAM_BATCH_LIMIT}).`,
      resolve: () => UPSTREAM_BATCH_LIMIT,
    }),
    maxItemsPerMutation: t.exposeInt('maxItemsPerMutation', {
      description: 'Most items one mutation may carry in all.',
    }),
  }),
});

builder.queryType({
  fields: (t) => ({
    gateway: t.field({
      type: GatewayInfo,
      description: 'What this gateway accepts and where it sends its writes. Needs no key.',
      resolve: (_root, _args, context) => ({
        ...context.services.gateway,
        maxItemsPerMutation: context.services.limits.maxItemsPerMutation,
      }),
    }),
  }),
});

builder.mutationType({
  description:
    'Assert (create-or-update) writes into graph8. Every mutation needs a graph8 key or a gateway token (Authorization: Bearer ...); on the built-in simulator none is needed.',
});
