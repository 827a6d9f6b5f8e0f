import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for Yoga; Vite would pick the .mjs one for our code,
    // and two copies of GraphQLError make every coded error look foreign (and masked).
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds src/ once per run into a temporary folder for the tests that start the built gateway.
    globalSetup: ['test/helpers/build-gateway.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
