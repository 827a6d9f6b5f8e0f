import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import ValidationPlugin from '@pothos/plugin-validation';
import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import type { GatewayContext } from './context.js';
import { badUserInput } from './errors.js';
import { issuesFromFailure, listCapIssues } from './schema/input-rules.js';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    DateTime: { Input: Date; Output: Date };
    /** An upload of the GraphQL multipart request spec, as Yoga hands it over. */
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
}>({
  // Federation last: it must see the resolvers the validation plugin wraps.
  plugins: [ValidationPlugin, DirectivePlugin, FederationPlugin],
  defaultFieldNullability: false,
  validation: {
    // Yoga masks Pothos's own validation error: answer a plain GraphQLError with every issue.
    validationError: (failure, args, context) =>
      badUserInput([
        ...issuesFromFailure(failure),
        ...listCapIssues(args, context.services.limits.maxItemsPerMutation),
      ]),
  },
});

builder.addScalarType('JSONObject', JSONObjectResolver, {});
builder.addScalarType('DateTime', DateTimeResolver, {});
builder.scalarType('File', {
  description: 'A file sent as a GraphQL multipart request (CSV or JSON Lines for appendFile).',
  serialize: () => {
    throw new Error('File is an input-only scalar');
  },
});
