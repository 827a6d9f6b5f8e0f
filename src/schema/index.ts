import { builder } from '../builder.js';
import './gateway-info.js';
import './payloads.js';
import './contact.js';
import './company.js';
import './deal.js';

/** The client schema: what schema.graphql prints. */
export const schema = builder.toSchema();

export const FEDERATION_LINK_URL = 'https://specs.apollo.dev/federation/v2.6';

/**
 * The same schema as an Apollo Federation 2 subgraph (with `_service { sdl }`):
 * what the gateway serves, and what subgraph.graphql prints.
 */
export const subgraphSchema = builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK_URL, federationDirectives: [] });
