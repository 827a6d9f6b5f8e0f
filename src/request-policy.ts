import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

interface HttpExtension {
  status?: number;
  spec?: boolean;
}

/** The only POST bodies the gateway reads; the HTTP layer parses these ahead of Yoga. */
export const JSON_MEDIA_TYPES = /^application\/(json|graphql-response\+json|graphql\+json)\s*(;|$)/i;

function refusal(fetchAPI: { Response: typeof Response }, status: number, message: string): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * What a request must look like before GraphQL sees it:
 * - POST bodies are JSON only. Form and text/plain posts are what a hostile page
 *   can send cross-site without a preflight, so they are refused with 415.
 * - A request that never reached execution (it did not parse, broke a validation
 *   rule or one of graphql-armor's limits, or had unusable variables) is the
 *   client's mistake: 400 whatever the Accept header. Yoga would answer 200 to
 *   plain application/json, and armor's errors carry no status at all.
 */
export function useRequestPolicy(): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'POST') return;
      const contentType = request.headers.get('content-type') ?? '';
      if (!JSON_MEDIA_TYPES.test(contentType)) {
        endResponse(refusal(fetchAPI, 415, 'POST bodies must be JSON: send Content-Type: application/json.'));
      }
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || 'data' in result || !result.errors) return;
      // New errors and a plain result: graphql-jit's errors have frozen, sometimes missing, extensions.
      const errors = result.errors.map((error) => {
        const extensions = { ...error.extensions } as Record<string, unknown>;
        if (!extensions.unexpected) {
          const http = (extensions.http ?? {}) as HttpExtension;
          extensions.http = { ...http, status: http.status ?? 400, spec: false };
        }
        return new GraphQLError(error.message, {
          nodes: error.nodes ?? null,
          source: error.source ?? null,
          positions: error.positions ?? null,
          path: error.path ?? null,
          originalError: error.originalError ?? null,
          extensions,
        });
      });
      setResult(result.extensions ? { errors, extensions: result.extensions } : { errors });
    },
  };
}
