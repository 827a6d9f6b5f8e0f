import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  GraphQLError,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import { clientErrorOf, type GatewayErrorCode, UNEXPECTED_ERROR_MESSAGE } from '../errors.js';

interface HttpExtension {
  status?: number;
  spec?: boolean;
}

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

/** A request error that came without a code: variables that could not be coerced, one of armor's limits, or the request itself. */
function codeOfUncoded(message: string): GatewayErrorCode {
  if (message.startsWith('Variable "$')) return 'BAD_USER_INPUT';
  // graphql-armor's limits are validation rules; graphql-js's own syntax errors arrive coded already.
  if (message.startsWith('Syntax Error:')) return 'GRAPHQL_VALIDATION_FAILED';
  return 'BAD_REQUEST';
}

/** A result that never reached execution, with every error coded (and 400 for a single request); undefined for any other. */
function requestErrorsAnswered(result: ExecutionResult | AsyncIterable<ExecutionResult>, setStatus: boolean) {
  if (!('errors' in result) || 'data' in result || !result.errors) return undefined;
  const errors = result.errors.map((error) => {
    const { originalError: _internals, ...extensions } = { ...error.extensions } as Record<string, unknown>;
    if (extensions.code === undefined) extensions.code = codeOfUncoded(error.message);
    if (setStatus && !extensions.unexpected) {
      const http = (extensions.http ?? {}) as HttpExtension;
      extensions.http = { ...http, status: http.status ?? 400, spec: false };
    }
    return new GraphQLError(error.message, {
      nodes: error.nodes ?? null,
      source: error.source ?? null,
      positions: error.positions ?? null,
      path: error.path ?? null,
      originalError: error.originalError ?? null,
      extensions,
    });
  });
  return result.extensions ? { errors, extensions: result.extensions } : { errors };
}

/**
 * Every error a client sees, translated in one place:
 * - in an executed operation, upstream failures get their code, coded errors
 *   pass, anything else becomes "Unexpected error." with INTERNAL_SERVER_ERROR
 *   and the request id (the original goes to the log with its stack); each gets
 *   the `locations` of its field, which graphql-jit leaves out;
 * - a request that never reached execution (it did not parse, broke a
 *   validation rule or one of armor's limits, or had unusable variables) is
 *   the client's mistake: 400 whatever the Accept header (Yoga would answer 200
 *   to plain application/json, armor's errors carry no status), and a variable
 *   that could not be coerced is BAD_USER_INPUT.
 */
export function useErrorMapping(logger: Logger): Plugin<GatewayContext> {
  /** The operation being run, and the translation of its errors. */
  const translatorFor = (args: { document: unknown; operationName?: string | null; contextValue: GatewayContext }) => {
    const operation = (args.document as DocumentNode).definitions.find(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === Kind.OPERATION_DEFINITION &&
        (args.operationName == null || definition.name?.value === args.operationName),
    );
    const { requestId } = args.contextValue;
    const translate = (error: GraphQLError): GraphQLError => {
      const nodes = error.nodes ?? (error.path && operation ? fieldAt(operation.selectionSet, error.path) : null);
      const known = clientErrorOf(error.originalError ?? error);
      if (known)
        return new GraphQLError(known.message, { nodes, path: error.path ?? null, extensions: known.extensions });
      logger.error({ requestId, err: error.originalError ?? error }, 'unexpected error');
      const code: GatewayErrorCode = 'INTERNAL_SERVER_ERROR';
      return new GraphQLError(UNEXPECTED_ERROR_MESSAGE, {
        nodes,
        path: error.path ?? null,
        extensions: { code, requestId },
      });
    };
    return { operation, translate };
  };
  return {
    onExecute({ args }) {
      const { operation, translate } = translatorFor(args);
      return {
        onExecuteDone(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (!result.errors || result.errors.length === 0) return;
            if (result.data === undefined) {
              // No data: the variables could not be coerced, a request error that onResultProcess answers.
              // graphql-jit names the wrong variable and drops the path; graphql-js's messages say where.
              if (!operation) return;
              const inputs = (args.variableValues ?? {}) as Record<string, unknown>;
              const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], inputs);
              if (coerced.errors) setResult({ errors: coerced.errors });
              return;
            }
            setResult({ ...result, errors: result.errors.map(translate) });
          });
        },
      };
    },
    // A subscription's events, and what its stream throws (an import store gone away, say), as an operation's.
    onSubscribe({ args }) {
      const { translate } = translatorFor(args);
      return {
        onSubscribeResult(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (result.errors && result.errors.length > 0)
              setResult({ ...result, errors: result.errors.map(translate) });
          });
        },
        onSubscribeError({ error, setError }) {
          const thrown =
            error instanceof GraphQLError
              ? error
              : new GraphQLError(error instanceof Error ? error.message : String(error), {
                  originalError: error instanceof Error ? error : null,
                });
          setError(translate(thrown));
        },
      };
    },
    onResultProcess({ result, setResult }) {
      if (!Array.isArray(result)) {
        const answered = requestErrorsAnswered(result, true);
        if (answered) setResult(answered);
        return;
      }
      // A batched request: each operation's request errors get their codes; the status stays the batch's.
      const results = result.map((single) => requestErrorsAnswered(single, false) ?? single);
      if (results.some((single, position) => single !== result[position])) setResult(results);
    },
  };
}
