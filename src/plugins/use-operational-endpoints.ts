import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics.js';

export const READINESS_ENDPOINT = '/readiness';
export const METRICS_ENDPOINT = '/metrics';

/**
 * `GET /readiness` (200 while serving, 503 once shutting down), `GET /metrics`
 * (Prometheus text), and `GET /`, which leads to the GraphQL endpoint. One exact
 * path comparison per request: Yoga's readiness and Prometheus plugins each ran
 * a URLPattern or label builder on every request.
 */
export function useOperationalEndpoints(
  isReady: () => boolean,
  metrics: GatewayMetrics,
  graphqlEndpoint: string,
): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const path = url.pathname;
      if (path === '/') {
        endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: graphqlEndpoint } }));
      } else if (path === READINESS_ENDPOINT) {
        endResponse(new fetchAPI.Response(null, { status: isReady() ? 200 : 503 }));
      } else if (path === METRICS_ENDPOINT) {
        return metrics.exposition().then((text) => {
          endResponse(
            new fetchAPI.Response(request.method === 'HEAD' ? null : text, {
              headers: { 'content-type': metrics.registry.contentType },
            }),
          );
        });
      }
    },
  };
}
