import { randomUUID } from 'node:crypto';
import { type AccessPolicy, type CallerAccess, resolveAccess } from './auth.js';
import { unauthenticated } from './errors.js';
import type { GatewayMetrics } from './metrics.js';
import type { AttemptEvent, UpstreamCall } from './upstream/client.js';
import type { Graph8Api } from './upstream/graph8-api.js';

/** A mutation as a whole gives up after this long. */
export const MUTATION_DEADLINE_MS = 60_000;

export interface GatewayLimits {
  readonly maxItemsPerMutation: number;
  readonly upstreamConcurrency: number;
}

export interface GatewayDescription {
  readonly version: string;
  readonly upstream: 'LIVE' | 'SIMULATOR';
}

/** What the upstream calls of one operation did, for its log line. */
export interface OperationStats {
  upstreamCalls: number;
  upstreamAttempts: number;
}

export interface GatewayContext {
  readonly requestId: string;
  readonly api: Graph8Api;
  readonly limits: GatewayLimits;
  readonly gateway: GatewayDescription;
  readonly stats: OperationStats;
  readonly metrics: GatewayMetrics;
  /** The upstream call settings for one mutation; throws UNAUTHENTICATED when the caller may not write. */
  upstreamCall(): UpstreamCall;
}

export interface ContextDependencies {
  readonly api: Graph8Api;
  readonly access: AccessPolicy;
  readonly limits: GatewayLimits;
  readonly gateway: GatewayDescription;
  readonly metrics: GatewayMetrics;
}

/** Request ids we accept from a caller: short, and safe to put in a header and a log line. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function createContext(dependencies: ContextDependencies, request: Request): GatewayContext {
  const offered = request.headers.get('x-request-id');
  const requestId = offered && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
  let access: CallerAccess | undefined;
  const stats: OperationStats = { upstreamCalls: 0, upstreamAttempts: 0 };
  const onAttempt = (event: AttemptEvent) => {
    stats.upstreamAttempts++;
    if (event.attempt === 1) stats.upstreamCalls++;
    dependencies.metrics.recordAttempt(event);
  };
  return {
    requestId,
    api: dependencies.api,
    limits: dependencies.limits,
    gateway: dependencies.gateway,
    stats,
    metrics: dependencies.metrics,
    upstreamCall(): UpstreamCall {
      access ??= resolveAccess(dependencies.access, request.headers.get('authorization'));
      if (!access.ok) throw unauthenticated(access.reason);
      return {
        apiKey: access.apiKey,
        requestId,
        signal: request.signal,
        deadlineMs: Date.now() + MUTATION_DEADLINE_MS,
        onAttempt,
      };
    },
  };
}
