import type { Plugin } from 'graphql-yoga';

interface HttpExtension {
  status?: number;
  spec?: boolean;
}

/**
 * A query that does not parse or validate is the client's mistake: answer its
 * 400 whatever the Accept header. Yoga marks such errors `http.spec`, which
 * turns them into 200s for plain application/json requests.
 */
export function useRequestErrorStatus(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors) return;
      for (const error of result.errors) {
        const http = error.extensions?.http as HttpExtension | undefined;
        if (http?.spec && http.status === 400) http.spec = false;
      }
    },
  };
}
