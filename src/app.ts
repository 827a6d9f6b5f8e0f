import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { AccessPolicy } from './auth.js';
import {
  type ContextDependencies,
  createContext,
  type GatewayContext,
  type GatewayDescription,
  type GatewayLimits,
} from './context.js';
import { useErrorLocations } from './error-locations.js';
import { EXAMPLE_TABS, useGraphiQLPage } from './graphiql.js';
import type { GatewayMetrics } from './metrics.js';
import { useOperationLog } from './operation-log.js';
import { useOperationalEndpoints } from './operational-endpoints.js';
import { useRequestPolicy } from './request-policy.js';
import { subgraphSchema } from './schema/index.js';
import type { Graph8Api } from './upstream/graph8-api.js';
import { useValidationCache } from './validation-cache.js';

export const GRAPHQL_ENDPOINT = '/graphql';

/**
 * Armor's limits, tuned so that a 10,000-item batch in variables, a 100-item list
 * written inline, fifteen aliased batch mutations and GraphiQL's introspection
 * all pass, while a field repeated hundreds of times does not.
 */
const ARMOR_LIMITS = {
  maxAliases: 15,
  maxDepth: 24,
  maxDirectives: 20,
  maxTokens: 20_000,
  maxCost: 500,
} as const;

export interface AppDependencies {
  readonly api: Graph8Api;
  readonly access: AccessPolicy;
  readonly limits: GatewayLimits;
  readonly gateway: GatewayDescription;
  readonly logger: Logger;
  readonly corsOrigins: readonly string[];
  /** Production hides field suggestions from error messages. */
  readonly production: boolean;
  /** False once the process is shutting down: /readiness answers 503. */
  readonly isReady?: () => boolean;
  readonly metrics: GatewayMetrics;
  readonly extraPlugins?: readonly Plugin[];
}

export type GatewayApp = YogaServerInstance<Record<string, unknown>, GatewayContext>;

/**
 * Grants the listed origins and nobody else: an unlisted origin gets no CORS
 * headers at all (Yoga would answer it `Access-Control-Allow-Origin: null`,
 * which sandboxed documents match).
 */
function corsPolicy(origins: readonly string[]) {
  if (origins.length === 0) return false;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return { origin: [origin], credentials: true, methods: ['GET', 'POST', 'OPTIONS'], maxAge: 600 };
  };
}

/** The whole gateway as a fetch handler: no port, no globals (tests call `app.fetch`). */
export function createApp(dependencies: AppDependencies): GatewayApp {
  const contextDependencies: ContextDependencies = {
    api: dependencies.api,
    access: dependencies.access,
    limits: dependencies.limits,
    gateway: dependencies.gateway,
    metrics: dependencies.metrics,
  };
  const armor = new EnvelopArmor({
    maxAliases: { n: ARMOR_LIMITS.maxAliases },
    maxDepth: { n: ARMOR_LIMITS.maxDepth, ignoreIntrospection: false },
    maxDirectives: { n: ARMOR_LIMITS.maxDirectives },
    maxTokens: { n: ARMOR_LIMITS.maxTokens },
    costLimit: { maxCost: ARMOR_LIMITS.maxCost, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: dependencies.production },
  });
  const graphiql = useGraphiQLPage(GRAPHQL_ENDPOINT, {
    title: 'graph8 assert gateway',
    defaultTabs: EXAMPLE_TABS,
    defaultEditorToolsVisibility: true,
  });
  const isReady = dependencies.isReady ?? (() => true);
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema: subgraphSchema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: ({ request }) => createContext(contextDependencies, request),
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '/health',
    maskedErrors: { isDev: false },
    // The HTTP layer (http-server.ts) enforces MAX_BODY_BYTES before Yoga sees the body.
    maxRequestBodySize: false,
    // POST bodies are JSON only (request-policy.ts): no multipart parser to ask on every request.
    multipart: false,
    // Yoga keeps parsing's cache; validation's is useValidationCache, which is cheaper per request.
    parserAndValidationCache: { validationCache: false },
    cors: corsPolicy(dependencies.corsOrigins),
    logging: {
      debug: (...args) => dependencies.logger.debug({ args }, 'yoga'),
      info: (...args) => dependencies.logger.info({ args }, 'yoga'),
      warn: (...args) => dependencies.logger.warn({ args }, 'yoga'),
      error: (...args) => dependencies.logger.error({ args }, 'yoga'),
    },
    plugins: [
      graphiql,
      ...armor.protect().plugins,
      useRequestPolicy(),
      // Compiled execution: coercing a 10,000-item variable list costs a fraction of graphql-js's.
      useGraphQlJit(),
      useErrorLocations(),
      useValidationCache(),
      useOperationalEndpoints(isReady, dependencies.metrics),
      useOperationLog(dependencies.logger, dependencies.metrics),
      ...(dependencies.extraPlugins ?? []),
    ],
  });
}
