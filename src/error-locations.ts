import {
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The field a response path points at, following plain fields by their response key. */
function fieldAt(selectionSet: SelectionSetNode, path: ReadonlyArray<string | number>): FieldNode | undefined {
  const [key, ...rest] = path.filter((segment): segment is string => typeof segment === 'string');
  const field = selectionSet.selections.find(
    (selection): selection is FieldNode =>
      selection.kind === Kind.FIELD && (selection.alias ?? selection.name).value === key,
  );
  if (!field || rest.length === 0 || !field.selectionSet) return field;
  return fieldAt(field.selectionSet, rest) ?? field;
}

/**
 * graphql-jit reports resolver errors without `locations`; put back the
 * location of the field each error's path names, as graphql-js does.
 */
export function useErrorLocations(): Plugin {
  return {
    onExecute({ args }) {
      const operation = (args.document as DocumentNode).definitions.find(
        (definition): definition is OperationDefinitionNode =>
          definition.kind === Kind.OPERATION_DEFINITION &&
          (args.operationName == null || definition.name?.value === args.operationName),
      );
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors) return;
          const needsFix = (error: GraphQLError) => !error.locations && error.path !== undefined;
          if (!result.errors.some(needsFix)) return;
          const errors = result.errors.map((error) => {
            if (!needsFix(error)) return error;
            const node = error.path && operation ? fieldAt(operation.selectionSet, error.path) : undefined;
            return new GraphQLError(error.message, {
              nodes: node ?? null,
              path: error.path ?? null,
              originalError: error.originalError instanceof GraphQLError ? error.originalError : null,
              extensions: error.extensions ?? {},
            });
          });
          setResult({ ...result, errors });
        },
      };
    },
  };
}
