import { isObject, parseJsonObject } from '../json.js';
import { firstHeader } from './headers.js';
import { parseRetryAfter } from './retry-policy.js';

/** The gateway's error codes for what the upstream answered (or failed to). */
export type UpstreamErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_REJECTED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT';

export interface UpstreamFieldError {
  readonly field: string;
  readonly message: string;
  readonly type?: string;
}

export interface UpstreamErrorDetails {
  readonly status?: number;
  readonly upstreamRequestId?: string;
  readonly retryAfterSeconds?: number;
  readonly fieldErrors?: readonly UpstreamFieldError[];
  /** The upstream's error body as it came, when it was a JSON object. */
  readonly body?: Record<string, unknown>;
  /** Given up because the process is shutting down, not because of an answer: another copy may try again. */
  readonly shutdown?: boolean;
}

/** One failed upstream call, already classified; resolvers turn it into a GraphQL error. */
export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    readonly details: UpstreamErrorDetails = {},
  ) {
    super(message);
  }
}

export function codeForStatus(status: number): UpstreamErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 408) return 'UPSTREAM_TIMEOUT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UPSTREAM_UNAVAILABLE';
  return 'UPSTREAM_REJECTED';
}

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bodyText: string;
}

/**
 * Reads any of the upstream's three error shapes (`detail` as text, `detail` as
 * FastAPI field list, `error` object), and copes with empty, HTML or cut bodies.
 */
export function parseUpstreamError(answer: UpstreamAnswer, nowMs = Date.now()): UpstreamError {
  const body = parseJsonObject(answer.bodyText);
  const headerRequestId = firstHeader(answer.headers['x-request-id']);
  const retryAfter = parseRetryAfter(firstHeader(answer.headers['retry-after']), nowMs);
  let message: string | undefined;
  let fieldErrors: UpstreamFieldError[] | undefined;
  let bodyRequestId: string | undefined;
  if (body) {
    const { detail, error } = body;
    if (typeof detail === 'string') message = detail;
    else if (Array.isArray(detail)) {
      fieldErrors = detail.flatMap((item) => (isObject(item) ? [fieldErrorFromDetail(item)] : []));
      message = fieldErrors.map((fieldError) => `${fieldError.field}: ${fieldError.message}`).join('; ');
    } else if (isObject(error)) {
      if (typeof error.message === 'string') message = error.message;
      if (typeof error.field === 'string') fieldErrors = [{ field: error.field, message: message ?? '' }];
      if (typeof error.request_id === 'string') bodyRequestId = error.request_id;
    }
    if (typeof body.message === 'string' && message === undefined) message = body.message;
    if (typeof body.request_id === 'string') bodyRequestId ??= body.request_id;
  }
  const upstreamRequestId = headerRequestId ?? bodyRequestId;
  return new UpstreamError(
    codeForStatus(answer.status),
    message || `graph8 answered HTTP ${answer.status} without a readable message`,
    {
      status: answer.status,
      ...(upstreamRequestId === undefined ? {} : { upstreamRequestId }),
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      ...(fieldErrors && fieldErrors.length > 0 ? { fieldErrors } : {}),
      ...(body ? { body } : {}),
    },
  );
}

function fieldErrorFromDetail(item: Record<string, unknown>): UpstreamFieldError {
  const location = Array.isArray(item.loc) ? item.loc.map(String) : [];
  const path = location[0] === 'body' ? location.slice(1) : location;
  return {
    field: path.join('.') || 'body',
    message: typeof item.msg === 'string' ? item.msg : 'invalid',
    ...(typeof item.type === 'string' ? { type: item.type } : {}),
  };
}
