import { GraphQLError } from 'graphql';
import { UpstreamError, type UpstreamErrorCode } from './upstream/upstream-error.js';

/** `extensions.code` of every error the gateway answers on purpose; anything else is masked. */
export type GatewayErrorCode = 'BAD_USER_INPUT' | UpstreamErrorCode;

export interface InputIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

export function badUserInput(issues: readonly InputIssue[]): GraphQLError {
  const summary = issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return new GraphQLError(`Invalid input: ${summary}${more}. Nothing was sent to graph8.`, {
    extensions: { code: 'BAD_USER_INPUT', issues },
  });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

/** The upstream's failure as the client sees it: code, status, message, field errors, request id. */
export function upstreamFailure(error: UpstreamError): GraphQLError {
  const { status, upstreamRequestId, retryAfterSeconds, fieldErrors } = error.details;
  const extensions: Record<string, unknown> = { code: error.code };
  if (status !== undefined) extensions.status = status;
  if (error.code === 'UPSTREAM_REJECTED') {
    extensions.upstreamMessage = error.message;
    if (fieldErrors) extensions.fieldErrors = fieldErrors;
  }
  if (retryAfterSeconds !== undefined && error.code === 'RATE_LIMITED')
    extensions.retryAfterSeconds = retryAfterSeconds;
  if (upstreamRequestId !== undefined) extensions.upstreamRequestId = upstreamRequestId;
  return new GraphQLError(error.message, { extensions });
}

/** Lets an upstream failure reach the client with its code; anything else stays masked. */
export function asClientError(error: unknown): unknown {
  return error instanceof UpstreamError ? upstreamFailure(error) : error;
}
