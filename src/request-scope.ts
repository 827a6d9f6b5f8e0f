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
  /** A native AbortSignal that fires when the client goes away. */
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
    let signal: AbortSignal | undefined;
    scope = {
      requestId: safeRequestId(request.headers.get('x-request-id')),
      upstreamMs: 0,
      // Made on first use: most requests never need it.
      get signal() {
        signal ??= nativeSignal(request.signal);
        return signal;
      },
    };
    scopes.set(request, scope);
  }
  return scope;
}

/**
 * A native AbortSignal that follows `signal`. The server adapter hands over a
 * look-alike that Node 24's AbortSignal.any and timers refuse.
 */
export function nativeSignal(signal: AbortSignal): AbortSignal {
  if (isNative(signal)) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

function isNative(signal: AbortSignal): boolean {
  try {
    // The brand check only a real AbortSignal passes.
    Reflect.get(AbortSignal.prototype, 'aborted', signal);
    return true;
  } catch {
    return false;
  }
}
