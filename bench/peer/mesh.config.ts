import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('graph8', {
        source: './openapi.yaml',
        endpoint: '{env.GRAPH8_API_URL}',
        operationHeaders: { Authorization: '{context.headers.authorization}' },
      }),
    },
  ],
});
