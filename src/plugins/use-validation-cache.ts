import { type DocumentNode, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Remembers each document's validation outcome, keyed by the document alone.
 * Yoga's document cache hands out the same document for the same query text,
 * and the validation rules are the same on every request here, so nothing else
 * belongs in the key. Yoga's own validation cache builds its key from the names
 * of all ~30 rules on every request, a few microseconds of each mutation.
 */
export function useValidationCache(): Plugin {
  const outcomes = new WeakMap<DocumentNode, readonly Error[]>();
  return {
    onValidate({ params: { documentAST }, setResult, validateFn, setValidationFn }) {
      const known = outcomes.get(documentAST);
      if (known) {
        setResult(known);
        return;
      }
      // graphql-armor's limits (and the selection limit) throw their refusal: kept as the outcome, so a repeat costs nothing.
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      });
      return ({ result }) => {
        outcomes.set(documentAST, result);
      };
    },
  };
}
