import { randomUUID } from 'node:crypto';
import type { RequestLoaders } from './batch/request-loaders.js';

/**
 * What belongs to one HTTP request rather than to one operation: Yoga gives
 * each operation of a batched request its own context, so what they share
 * hangs off the Request itself.
 */
export interface RequestScope {
  /** The caller's own `x-request-id` when it is safe to echo, else one made here. */
  readonly requestId: string;
  /** Milliseconds spent in upstream attempts, for the Server-Timing header. */
  upstreamMs: number;
  /** Fires when the client goes away; the server adapter's own signal, see native-signal.ts. */
  readonly signal: AbortSignal;
  /** The deal and link loaders, shared by every operation of a batched request; made on first use. */
  loaders?: RequestLoaders;
}

/** Request ids we accept from a caller: short, and safe to put in a header and a log line. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function safeRequestId(offered: string | null | undefined): string {
  return offered && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
}

const scopes = new WeakMap<Request, RequestScope>();

export function requestScope(request: Request): RequestScope {
  let scope = scopes.get(request);
  if (scope === undefined) {
    scope = {
      requestId: safeRequestId(request.headers.get('x-request-id')),
      upstreamMs: 0,
      signal: request.signal,
    };
    scopes.set(request, scope);
  }
  return scope;
}
