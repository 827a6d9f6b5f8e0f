import { printSubgraphSchema } from '@apollo/subgraph';
import { subgraphSchema } from '../src/schema/index.js';

/** A codegen plugin: the federation subgraph SDL, with its @link, as composition tools read it. */
export const plugin = (): string => `${printSubgraphSchema(subgraphSchema).trim()}\n`;
