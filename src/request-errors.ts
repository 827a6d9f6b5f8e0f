import type { Plugin } from 'graphql-yoga';

interface HttpExtension {
  status?: number;
  spec?: boolean;
}

/**
 * A request that never reached execution (it did not parse, broke a validation
 * rule or one of graphql-armor's limits, or had unusable variables) is the
 * client's mistake: answer 400 whatever the Accept header. Yoga would answer
 * 200 to plain application/json, and armor's errors carry no status at all.
 */
export function useRequestErrorStatus(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || !('errors' in result) || 'data' in result || !result.errors) return;
      for (const error of result.errors) {
        const extensions = error.extensions as Record<string, unknown>;
        if (extensions.unexpected) continue;
        const http = (extensions.http ?? {}) as HttpExtension;
        extensions.http = { ...http, status: http.status ?? 400, spec: false };
      }
    },
  };
}
