import type { Plugin } from 'graphql-yoga';
import { errorBody, type GatewayErrorCode, requestError } from '../errors.js';

/** The only POST bodies the gateway reads as JSON; the HTTP layer parses these ahead of Yoga. */
export const JSON_MEDIA_TYPES = /^application\/(json|graphql-response\+json|graphql\+json)\s*(;|$)/i;

/** File uploads (the GraphQL multipart request spec): streamed to Yoga, for appendFile only. */
export const MULTIPART_MEDIA_TYPE = /^multipart\/form-data\s*(;|$)/i;

/** Headers an HTML form cannot send: a multipart request must carry one (Yoga's CSRF-prevention header, or a key). */
const NON_FORM_HEADERS = ['authorization', 'x-graphql-yoga-csrf'];

function refusal(fetchAPI: { Response: typeof Response }, status: number, message: string): Response {
  const code: GatewayErrorCode = 'BAD_REQUEST';
  return new fetchAPI.Response(errorBody(message, code), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

function carriesFile(value: unknown): boolean {
  if (typeof File !== 'undefined' && value instanceof File) return true;
  if (Array.isArray(value)) return value.some(carriesFile);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { stream?: unknown }).stream === 'function') return true;
    return Object.values(value).some(carriesFile);
  }
  return false;
}

/**
 * What a request must look like before GraphQL sees it:
 * - POST bodies are JSON, or multipart for file uploads. Form and text/plain
 *   posts are what a hostile page can send cross-site without a preflight,
 *   so they are refused with 415.
 * - A multipart request (which a form can send) must carry a header a form
 *   cannot, else 400, and must upload a file: it is not a way around the
 *   JSON-only rule.
 */
export function useRequestPolicy(): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'POST') return;
      const contentType = request.headers.get('content-type') ?? '';
      if (JSON_MEDIA_TYPES.test(contentType)) return;
      if (!MULTIPART_MEDIA_TYPE.test(contentType)) {
        endResponse(
          refusal(
            fetchAPI,
            415,
            'POST bodies must be JSON (or multipart for appendFile): send Content-Type: application/json.',
          ),
        );
      } else if (!NON_FORM_HEADERS.some((name) => request.headers.has(name))) {
        endResponse(
          refusal(
            fetchAPI,
            400,
            'A multipart request must carry an Authorization or x-graphql-yoga-csrf header (an HTML form cannot send one).',
          ),
        );
      }
    },
    onParams({ request, params, setResult }) {
      if (!MULTIPART_MEDIA_TYPE.test(request.headers.get('content-type') ?? '')) return;
      if (carriesFile(params.variables)) return;
      setResult({
        errors: [
          requestError(
            'Multipart requests are for file uploads (appendFile); send other operations as JSON.',
            'BAD_REQUEST',
            400,
          ),
        ],
      });
    },
  };
}
