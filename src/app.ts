import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { getOperationAST } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { errorReportAnswer } from './imports/error-report.js';
import type { GatewayMetrics } from './metrics.js';
import { useErrorMapping } from './plugins/use-error-mapping.js';
import { useErrorReports } from './plugins/use-error-reports.js';
import { EXAMPLE_TABS, useGraphiQLPage } from './plugins/use-graphiql.js';
import { useIntrospectionSwitch } from './plugins/use-introspection-switch.js';
import { useOperationLog } from './plugins/use-operation-log.js';
import { useOperationalEndpoints } from './plugins/use-operational-endpoints.js';
import { useRequestPolicy } from './plugins/use-request-policy.js';
import { useResponseHeaders } from './plugins/use-response-headers.js';
import { useSelectionLimit } from './plugins/use-selection-limit.js';
import { useUploadSpool } from './plugins/use-upload-spool.js';
import { useValidationCache } from './plugins/use-validation-cache.js';
import { subgraphSchema } from './schema/index.js';

export const GRAPHQL_ENDPOINT = '/graphql';

/** Operations one batched request may carry. */
export const MAX_BATCHED_OPERATIONS = 10;

/**
 * The abuse limits, tuned so that a 10,000-item batch in variables, a 100-item
 * list written inline, fifteen aliased batch mutations, GraphiQL's
 * introspection, errors(first: 1000) and imports(first: 100) all pass, while a
 * field repeated hundreds of times does not.
 */
const LIMITS = {
  maxAliases: 15,
  maxDepth: 24,
  maxDirectives: 20,
  maxTokens: 20_000,
  maxSelections: 500,
} as const;

/** The services every operation reaches, and how the HTTP side of the app behaves. */
export interface AppDependencies extends GatewayServices {
  readonly corsOrigins: readonly string[];
  /** Production hides field suggestions from error messages. */
  readonly production: boolean;
  /** Serve GraphiQL to browsers on GET /graphql (GRAPHIQL). */
  readonly graphiql: boolean;
  /** Answer introspection (INTROSPECTION). */
  readonly introspection: boolean;
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
  const { logger } = dependencies;
  const armor = new EnvelopArmor({
    maxAliases: { n: LIMITS.maxAliases },
    maxDepth: { n: LIMITS.maxDepth, ignoreIntrospection: false },
    maxDirectives: { n: LIMITS.maxDirectives },
    maxTokens: { n: LIMITS.maxTokens },
    // Replaced by useSelectionLimit: armor's cost multiplies by an inline `first`.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: dependencies.production },
  });
  const isReady = dependencies.isReady ?? (() => true);
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema: subgraphSchema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    // A JSON array of up to 10 operations (Apollo's BatchHttpLink, urql); more is refused with 413 and nothing runs.
    batching: { limit: MAX_BATCHED_OPERATIONS },
    context: ({ request }) => createContext(dependencies, request),
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '/health',
    maskedErrors: { isDev: false },
    // The HTTP layer (http-server.ts) enforces MAX_BODY_BYTES before Yoga sees the body.
    maxRequestBodySize: false,
    // Multipart is for appendFile's uploads only (use-request-policy.ts); the Node layer streams it through,
    // and useUploadSpool parses it to temporary files instead of Yoga's parser holding the files in memory.
    multipart: true,
    // Yoga keeps parsing's cache; validation's is useValidationCache, which is cheaper per request.
    parserAndValidationCache: { validationCache: false },
    cors: corsPolicy(dependencies.corsOrigins),
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      error: (...args) => logger.error({ args }, 'yoga'),
    },
    plugins: [
      useResponseHeaders(),
      ...(dependencies.graphiql
        ? [
            useGraphiQLPage(GRAPHQL_ENDPOINT, {
              title: 'graph8 assert gateway',
              defaultTabs: EXAMPLE_TABS,
              defaultEditorToolsVisibility: true,
            }),
          ]
        : []),
      ...armor.protect().plugins,
      useSelectionLimit(LIMITS.maxSelections),
      useRequestPolicy(),
      useUploadSpool(logger),
      useIntrospectionSwitch(dependencies.introspection),
      // Compiled execution: coercing a 10,000-item variable list costs a fraction of graphql-js's.
      // graphql-jit hands a subscription's resolver the wrong arguments: subscriptions stay on graphql-js.
      useGraphQlJit(
        {},
        { enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation !== 'subscription' },
      ),
      useErrorMapping(logger),
      useValidationCache(),
      useOperationalEndpoints(isReady, dependencies.metrics, GRAPHQL_ENDPOINT),
      useErrorReports(errorReportAnswer(dependencies.imports, dependencies.access)),
      useOperationLog(logger, dependencies.metrics),
      ...(dependencies.extraPlugins ?? []),
    ],
  });
}
