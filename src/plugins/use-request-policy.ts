import type { Plugin } from 'graphql-yoga';
import { errorBody } from '../errors.js';

/** The only POST bodies the gateway reads as JSON; the HTTP layer parses these ahead of Yoga. */
export const JSON_MEDIA_TYPES = /^application\/(json|graphql-response\+json|graphql\+json)\s*(;|$)/i;

/**
 * What a request must look like before GraphQL sees it: POST bodies are JSON.
 * Form and text/plain posts are what a hostile page can send cross-site
 * without a preflight, so they are refused with 415.
 */
export function useRequestPolicy(): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'POST') return;
      const contentType = request.headers.get('content-type') ?? '';
      if (JSON_MEDIA_TYPES.test(contentType)) return;
      endResponse(
        new fetchAPI.Response(
          errorBody('POST bodies must be JSON: send Content-Type: application/json.', 'BAD_REQUEST'),
          { status: 415, headers: { 'content-type': 'application/json; charset=utf-8' } },
        ),
      );
    },
  };
}
