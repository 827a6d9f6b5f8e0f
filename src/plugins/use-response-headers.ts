import type { Plugin } from 'graphql-yoga';
import { requestScope } from '../request-scope.js';

/**
 * Every answer carries `x-request-id` (the caller's own, or the one made for
 * it: a client has something to quote), and `Server-Timing` with the time the
 * request spent in upstream calls.
 */
export function useResponseHeaders(): Plugin {
  return {
    onResponse({ request, response }) {
      const scope = requestScope(request);
      response.headers.set('x-request-id', scope.requestId);
      response.headers.set('server-timing', `upstream;dur=${scope.upstreamMs.toFixed(1)}`);
    },
  };
}
