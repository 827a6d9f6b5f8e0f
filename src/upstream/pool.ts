import { Pool } from 'undici';

/** Connections per upstream origin: enough for many mutations' bounded fan-out at once. */
export const UPSTREAM_CONNECTIONS = 64;

/** The one keep-alive pool for an upstream origin, shared by every request, with explicit timeouts. */
export function createUpstreamPool(baseUrl: string, timeoutMs: number): Pool {
  return new Pool(new URL(baseUrl).origin, {
    connections: UPSTREAM_CONNECTIONS,
    connectTimeout: Math.min(timeoutMs, 10_000),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
  });
}
