import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * At most `limit` field selections in one operation, fragments counted where
 * they are spread, introspection's `__schema` left out: a field repeated
 * hundreds of times (whose validation grows with the square of its repeats)
 * is refused before the other rules run, by throwing as graphql-armor's rules
 * do. It stands in for armor's cost limit, which multiplies a field's cost by
 * an inline `first`, so that `errors(first: 1000)` and `imports(first: 100)`,
 * which the contract admits, would be refused however little they select.
 */
export function useSelectionLimit(limit: number): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => {
    const fragmentSizes = new Map<string, number>();
    const sizeOf = (selectionSet: SelectionSetNode, spreading: ReadonlySet<string>): number => {
      let size = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value === '__schema') continue;
          size += 1 + (selection.selectionSet ? sizeOf(selection.selectionSet, spreading) : 0);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          size += sizeOf(selection.selectionSet, spreading);
        } else {
          const name = selection.name.value;
          // A cycle is another rule's refusal; here it counts once.
          if (spreading.has(name)) continue;
          const known = fragmentSizes.get(name);
          const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(name);
          const fragmentSize = known ?? (fragment ? sizeOf(fragment.selectionSet, new Set([...spreading, name])) : 0);
          fragmentSizes.set(name, fragmentSize);
          size += fragmentSize;
        }
        if (size > limit) return size;
      }
      return size;
    };
    return {
      OperationDefinition(operation) {
        const size = sizeOf(operation.selectionSet, new Set());
        if (size > limit) {
          throw new GraphQLError(
            `Too many fields: the operation selects more than ${limit} (fragments counted where they are spread).`,
            { nodes: operation, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          );
        }
      },
    };
  };
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
