import type { CodegenConfig } from '@graphql-codegen/cli';

/** Prints schema.graphql from the Pothos code, and typed documents for the example operations. */
const config: CodegenConfig = {
  schema: './src/schema/index.ts',
  documents: ['examples/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'schema.graphql': {
      plugins: ['schema-ast'],
      config: { sort: true, includeDirectives: true },
    },
    'subgraph.graphql': {
      plugins: ['./codegen/subgraph-sdl.ts'],
    },
    'examples/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        importExtension: '.js',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
