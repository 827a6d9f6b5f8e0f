import type { Logger } from 'pino';
import { type AccessPolicy, type AuthorizedCaller, type CallerAccess, resolveAccess } from './auth.js';
import { createRequestLoaders, type RequestLoaders } from './batch/request-loaders.js';
import { unauthenticated } from './errors.js';
import type { ImportsService } from './imports/imports-service.js';
import type { GatewayMetrics } from './metrics.js';
import { requestScope } from './request-scope.js';
import type { AttemptEvent, UpstreamCallOptions } from './upstream/client.js';
import type { Graph8Api } from './upstream/graph8-api.js';

export interface GatewayLimits {
  readonly maxItemsPerMutation: number;
  readonly upstreamConcurrency: number;
  /** A mutation as a whole gives up after this long. */
  readonly mutationDeadlineMs: number;
}

export interface GatewayDescription {
  readonly version: string;
  readonly upstream: 'LIVE' | 'SIMULATOR';
}

/** What every operation can reach: built once per process, handed to the app and from it to each context. */
export interface GatewayServices {
  readonly api: Graph8Api;
  readonly access: AccessPolicy;
  readonly limits: GatewayLimits;
  readonly gateway: GatewayDescription;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly imports: ImportsService;
}

/** What the upstream calls of one operation did, for its log line. */
export interface OperationStats {
  upstreamCalls: number;
  upstreamAttempts: number;
}

export interface GatewayContext {
  readonly requestId: string;
  readonly services: GatewayServices;
  readonly stats: OperationStats;
  /**
   * Lets the caller write upstream and gives the settings of this operation's
   * calls (their key, request id, cancellation, deadline); throws
   * UNAUTHENTICATED when the caller may not.
   */
  authorizeUpstream(): UpstreamCallOptions;
  /** Who the caller is (the upstream key they write with, the credential they showed); throws UNAUTHENTICATED. */
  authorizeCaller(): AuthorizedCaller;
  /**
   * Lets the caller use a field that writes nothing: where the gateway holds
   * the key, only with a gateway token (or ALLOW_ANONYMOUS); otherwise anyone.
   */
  authorizeReadOnly(): void;
  /**
   * The request's deal and link loaders (one set per HTTP request, shared by
   * its batched operations), their calls bounded by UPSTREAM_CONCURRENCY for
   * the whole request; throws UNAUTHENTICATED as authorizeUpstream does.
   */
  loaders(): RequestLoaders;
}

export function createContext(services: GatewayServices, request: Request): GatewayContext {
  const scope = requestScope(request);
  let access: CallerAccess | undefined;
  const stats: OperationStats = { upstreamCalls: 0, upstreamAttempts: 0 };
  const onAttempt = (event: AttemptEvent) => {
    stats.upstreamAttempts++;
    if (event.attempt === 1) stats.upstreamCalls++;
    scope.upstreamMs += event.durationMs;
    services.metrics.recordAttempt(event);
  };
  const callerAccess = (): CallerAccess => {
    access ??= resolveAccess(services.access, request.headers.get('authorization'));
    return access;
  };
  const authorizeCaller = (): AuthorizedCaller => {
    const caller = callerAccess();
    if (!caller.ok) throw unauthenticated(caller.reason);
    return caller;
  };
  const authorizeUpstream = (): UpstreamCallOptions => {
    const caller = authorizeCaller();
    return {
      apiKey: caller.apiKey,
      requestId: scope.requestId,
      signal: scope.signal,
      deadlineMs: Date.now() + services.limits.mutationDeadlineMs,
      onAttempt,
    };
  };
  return {
    requestId: scope.requestId,
    services,
    stats,
    authorizeUpstream,
    authorizeCaller,
    authorizeReadOnly() {
      if (services.access.mode !== 'gateway-key') return;
      const caller = callerAccess();
      if (!caller.ok) throw unauthenticated(caller.reason);
    },
    loaders() {
      // Each operation of a batched request has its own context: the first one to ask makes the request's loaders.
      scope.loaders ??= createRequestLoaders(services.api, authorizeUpstream(), services.limits.upstreamConcurrency);
      return scope.loaders;
    },
  };
}
