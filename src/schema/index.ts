import { GraphQLSchema } from 'graphql';
import { builder } from '../builder.js';
import './gateway-info.js';
import './payloads.js';
import './contact.js';
import './company.js';
import './deal.js';
import './import.js';

const SCHEMA_DESCRIPTION = `Writes into graph8 through its assert (create-or-update) API.

Every mutation checks its whole input before anything is sent (BAD_USER_INPUT lists every issue), and lists are folded by match key and sent in upstream batches of 100. Mutations need a graph8 key or a gateway token (Authorization: Bearer ...), except on the built-in simulator. GraphiQL's example tabs show each operation; the README has the rest.`;

/** Pothos has no option for it: the description GraphiQL's docs explorer opens on. */
function described(schema: GraphQLSchema): GraphQLSchema {
  return new GraphQLSchema({ ...schema.toConfig(), description: SCHEMA_DESCRIPTION });
}

/** The client schema: what schema.graphql prints. */
export const schema = described(builder.toSchema());

export const FEDERATION_LINK_URL = 'https://specs.apollo.dev/federation/v2.6';

/**
 * The same schema as an Apollo Federation 2 subgraph (with `_service { sdl }`):
 * what the gateway serves, and what subgraph.graphql prints.
 */
export const subgraphSchema = described(
  builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK_URL, federationDirectives: [] }),
);
