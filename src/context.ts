import type { Logger } from 'pino';
import { type AccessPolicy, type CallerAccess, resolveAccess } from './auth.js';
import { unauthenticated } from './errors.js';
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
  return {
    requestId: scope.requestId,
    services,
    stats,
    authorizeUpstream(): UpstreamCallOptions {
      access ??= resolveAccess(services.access, request.headers.get('authorization'));
      if (!access.ok) throw unauthenticated(access.reason);
      return {
        apiKey: access.apiKey,
        requestId: scope.requestId,
        signal: scope.signal,
        deadlineMs: Date.now() + services.limits.mutationDeadlineMs,
        onAttempt,
      };
    },
  };
}
