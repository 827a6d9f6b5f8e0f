import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { createYoga, type Plugin, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
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
import { useOperationLog } from './operation-log.js';
import { useRequestErrorStatus } from './request-errors.js';
import { schema } from './schema/index.js';
import type { AttemptEvent } from './upstream/client.js';
import type { Graph8Api } from './upstream/graph8-api.js';

export const GRAPHQL_ENDPOINT = '/graphql';

/** Armor's limits, tuned so that a 10,000-item batch in variables and a 100-item list written inline both pass. */
export const ARMOR_LIMITS = {
  maxAliases: 15,
  maxDepth: 10,
  maxDirectives: 20,
  maxTokens: 20_000,
  maxCost: 5_000,
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
  readonly onAttempt?: (event: AttemptEvent) => void;
  readonly extraPlugins?: readonly Plugin[];
}

export type GatewayApp = YogaServerInstance<Record<string, unknown>, GatewayContext> & {
  /** Renders and compresses the GraphiQL page ahead of the first browser. */
  warmGraphiQL(): Promise<void>;
};

/** The whole gateway as a fetch handler: no port, no globals (tests call `app.fetch`). */
export function createApp(dependencies: AppDependencies): GatewayApp {
  const contextDependencies: ContextDependencies = {
    api: dependencies.api,
    access: dependencies.access,
    limits: dependencies.limits,
    gateway: dependencies.gateway,
    ...(dependencies.onAttempt ? { onAttempt: dependencies.onAttempt } : {}),
  };
  const armor = new EnvelopArmor({
    maxAliases: { n: ARMOR_LIMITS.maxAliases },
    maxDepth: { n: ARMOR_LIMITS.maxDepth, ignoreIntrospection: true },
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
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: ({ request }) => createContext(contextDependencies, request),
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '/health',
    maskedErrors: { isDev: false },
    // The HTTP layer (http-server.ts) enforces MAX_BODY_BYTES before Yoga sees the body.
    maxRequestBodySize: false,
    cors:
      dependencies.corsOrigins.length > 0
        ? { origin: [...dependencies.corsOrigins], credentials: true, methods: ['GET', 'POST', 'OPTIONS'] }
        : false,
    logging: {
      debug: (...args) => dependencies.logger.debug({ args }, 'yoga'),
      info: (...args) => dependencies.logger.info({ args }, 'yoga'),
      warn: (...args) => dependencies.logger.warn({ args }, 'yoga'),
      error: (...args) => dependencies.logger.error({ args }, 'yoga'),
    },
    plugins: [
      graphiql,
      ...armor.protect().plugins,
      useRequestErrorStatus(),
      // Compiled execution: coercing a 10,000-item variable list costs a fraction of graphql-js's.
      useGraphQlJit(),
      useErrorLocations(),
      useReadinessCheck({ endpoint: '/readiness', check: isReady }),
      useOperationLog(dependencies.logger),
      ...(dependencies.extraPlugins ?? []),
    ],
  });
  return Object.assign(yoga, { warmGraphiQL: graphiql.warm });
}
