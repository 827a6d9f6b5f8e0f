import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';
import { schema } from '../../src/schema/index.js';

const root = new URL('../../', import.meta.url);

describe('printed artefacts', () => {
  it('schema.graphql, subgraph.graphql and examples/generated are what `npm run codegen` prints from the code now', async () => {
    // Node cannot import the .ts plugin inside vitest: hand codegen the module.
    const pluginLoader = (name: string) =>
      name.endsWith('subgraph-sdl.ts') ? import('../../codegen/subgraph-sdl.js') : import(name);
    const outputs = await generate(
      { ...config, schema: printSchema(schema), silent: true, cwd: root.pathname, pluginLoader },
      false,
    );
    expect(outputs.length).toBeGreaterThan(1);
    for (const output of outputs) {
      const committed = readFileSync(new URL(output.filename, root), 'utf8');
      expect(committed, `${output.filename} is stale: run npm run codegen`).toBe(output.content);
    }
  });

  it('keeps every name and type of the public contract (test/contract/schema.graphql)', () => {
    const contract = buildSchema(readFileSync(new URL('test/contract/schema.graphql', root), 'utf8'));
    expect(findBreakingChanges(contract, schema)).toEqual([]);
  });
});
