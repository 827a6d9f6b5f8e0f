import { GraphQLError } from 'graphql';
import { ImportStoreUnavailable } from './imports/import-model.js';
import { UpstreamError, type UpstreamErrorCode } from './upstream/upstream-error.js';

/**
 * `extensions.code` of every error the gateway answers: a client can switch on
 * each. The README lists them with their HTTP statuses.
 */
export type GatewayErrorCode =
  /** The arguments broke an input rule, or variables could not be coerced; nothing was sent. */
  | 'BAD_USER_INPUT'
  /** The HTTP request itself was wrong: not JSON, empty, a mutation over GET, too many batched operations. */
  | 'BAD_REQUEST'
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  /** The gateway is shutting down, or the import store cannot be reached. */
  | 'SERVICE_UNAVAILABLE'
  /** Anything unexpected: masked as "Unexpected error.", with the request id to quote. */
  | 'INTERNAL_SERVER_ERROR'
  | UpstreamErrorCode;

export const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';

export interface InputIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

function codedError(message: string, code: GatewayErrorCode, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export function badUserInput(issues: readonly InputIssue[]): GraphQLError {
  const summary = issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return codedError(`Invalid input: ${summary}${more}. Nothing was sent to graph8.`, 'BAD_USER_INPUT', { issues });
}

export function unauthenticated(message: string): GraphQLError {
  return codedError(message, 'UNAUTHENTICATED');
}

export function notFound(message: string): GraphQLError {
  return codedError(message, 'NOT_FOUND');
}

export function serviceUnavailable(message: string): GraphQLError {
  return codedError(message, 'SERVICE_UNAVAILABLE');
}

/** A refusal of the HTTP request itself, answered with `status` rather than 200. */
export function requestError(message: string, code: GatewayErrorCode, status: number): GraphQLError {
  return codedError(message, code, { http: { status } });
}

/** The upstream's failure as the client sees it: code, status, message, field errors, request id. */
function upstreamFailure(error: UpstreamError): GraphQLError {
  const { status, upstreamRequestId, retryAfterSeconds, fieldErrors } = error.details;
  const extensions: Record<string, unknown> = {};
  if (status !== undefined) extensions.status = status;
  if (error.code === 'UPSTREAM_REJECTED') {
    extensions.upstreamMessage = error.message;
    if (fieldErrors) extensions.fieldErrors = fieldErrors;
  }
  if (retryAfterSeconds !== undefined && error.code === 'RATE_LIMITED')
    extensions.retryAfterSeconds = retryAfterSeconds;
  if (upstreamRequestId !== undefined) extensions.upstreamRequestId = upstreamRequestId;
  return codedError(error.message, error.code, extensions);
}

/**
 * The one translation from what a resolver threw to what the client sees:
 * coded GraphQL errors pass as they are, upstream failures get their code;
 * undefined for anything else, which is masked.
 */
export function clientErrorOf(error: unknown): GraphQLError | undefined {
  if (error instanceof UpstreamError) return upstreamFailure(error);
  if (error instanceof ImportStoreUnavailable) return serviceUnavailable(error.message);
  if (error instanceof GraphQLError && typeof error.extensions?.code === 'string') return error;
  return undefined;
}

/** A JSON error body for answers made outside GraphQL execution (the Node layer's, the request policy's). */
export function errorBody(message: string, code: GatewayErrorCode, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}
