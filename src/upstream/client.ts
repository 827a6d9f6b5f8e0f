import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { isObject, parseJsonObject } from '../json.js';
import { nativeSignal } from '../native-signal.js';
import { type CallPriority, LocalBudget, type UpstreamBudget } from './budget.js';
import { backoffDelayMs, MAX_RETRY_AFTER_SECONDS, RETRYABLE_STATUSES } from './retry-policy.js';
import { parseUpstreamError, UpstreamError } from './upstream-error.js';

/** What one attempt did, for metrics and the operation's log line. */
export interface AttemptEvent {
  readonly route: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly status?: number;
  /** `retry` when another attempt follows. */
  readonly outcome: 'ok' | 'retry' | 'failed';
  readonly durationMs: number;
}

/** Who is calling and within which operation: the settings every call of one operation is made with. */
export interface UpstreamCallOptions {
  readonly apiKey: string;
  readonly requestId: string;
  /** Fires when the operation is cancelled; attempts not yet sent are not sent. */
  readonly signal?: AbortSignal;
  /** Epoch milliseconds after which no attempt starts and no wait is begun. */
  readonly deadlineMs?: number;
  readonly onAttempt?: (event: AttemptEvent) => void;
  /** Interactive calls (mutations) come before imports when the rate budget is tight. */
  readonly priority?: CallPriority;
}

export interface UpstreamClientOptions {
  /** Base URL including `/api/v1`. */
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Answers longer than this fail their call (UPSTREAM_UNAVAILABLE, not retried); the pool enforces it. */
  readonly maxResponseBytes?: number;
  readonly random?: () => number;
  /** The rate and retry budget; by default one of this process's own, with no rate limit. */
  readonly budget?: UpstreamBudget;
  /** Told each time a call waits for the budget, and how long. */
  readonly onBudgetWait?: (waitMs: number) => void;
}

/** A failure of one attempt, and whether another could succeed. */
interface AttemptFailure {
  readonly error: UpstreamError;
  readonly retryable: boolean;
  readonly timedOut: boolean;
}

/** One PUT to the upstream: `route` names it in metrics, `{name}` segments are filled from `pathParameters`. */
export interface UpstreamRequest<T> {
  /** Such as `contacts/{contact_id}/deals/assert`. */
  readonly route: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The answer's `data`, decoded; undefined when it is not what the route answers. */
  readonly decode: (data: unknown) => T | undefined;
}

const NETWORK_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * PUTs JSON to graph8 with retries (408, 429, 5xx, network errors and
 * timeouts; full-jitter backoff; `Retry-After` honoured), a per-upstream retry
 * budget and pacing on `X-RateLimit-Remaining: 0`. Asserts are idempotent, so
 * every retry is safe.
 */
export class UpstreamClient {
  private readonly origin: string;
  private readonly basePath: string;
  private readonly random: () => number;
  private readonly budget: UpstreamBudget;
  /** Past this, no attempt starts and no wait begins, whatever the operation's own deadline (a shutdown's grace). */
  private cutoffMs = Number.POSITIVE_INFINITY;

  constructor(private readonly options: UpstreamClientOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.random = options.random ?? Math.random;
    this.budget = options.budget ?? new LocalBudget(undefined);
  }

  /** From now on, calls stop starting attempts after `epochMs`: operations in flight answer within a shutdown's grace. */
  finishBy(epochMs: number): void {
    this.cutoffMs = Math.min(this.cutoffMs, epochMs);
  }

  private deadlineOf(call: UpstreamCallOptions): number {
    return Math.min(call.deadlineMs ?? Number.POSITIVE_INFINITY, this.cutoffMs);
  }

  async put<T>(request: UpstreamRequest<T>, call: UpstreamCallOptions): Promise<T> {
    const { route, decode } = request;
    const path = pathOf(route, request.pathParameters);
    const payload = JSON.stringify(request.body);
    for (let attempt = 1; ; attempt++) {
      await this.admit(call);
      const started = performance.now();
      const result = await this.attempt(path, payload, decode, call);
      const durationMs = performance.now() - started;
      if (!('error' in result)) {
        this.budget.recordSuccess();
        call.onAttempt?.({ route, attempt, status: result.status, outcome: 'ok', durationMs });
        return result.value;
      }
      const next = await this.retryWait(result, attempt, call);
      const status = result.error.details.status;
      call.onAttempt?.({
        route,
        attempt,
        ...(status === undefined ? {} : { status }),
        outcome: 'waitMs' in next ? 'retry' : 'failed',
        durationMs,
      });
      if (!('waitMs' in next)) throw next.error;
      await this.pause(next.waitMs, call);
    }
  }

  /** How long to wait before the next attempt, or the error the call ends with. */
  private async retryWait(
    failure: AttemptFailure,
    attempt: number,
    call: UpstreamCallOptions,
  ): Promise<{ waitMs: number } | { error: UpstreamError }> {
    const final = { error: failure.error };
    if (!failure.retryable || attempt >= this.options.maxAttempts) return final;
    const retryAfter = failure.error.details.retryAfterSeconds;
    if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_SECONDS) return final;
    const waitMs = retryAfter !== undefined ? retryAfter * 1000 : backoffDelayMs(attempt, this.random);
    if (Date.now() + waitMs >= this.deadlineOf(call)) {
      // Only the shutdown stood in the way: marked, so that an import leaves the work to another copy.
      const shutdown = Date.now() + waitMs >= this.cutoffMs;
      return shutdown
        ? {
            error: new UpstreamError(failure.error.code, failure.error.message, { ...failure.error.details, shutdown }),
          }
        : final;
    }
    if (!(await this.budget.takeRetry(failure.timedOut))) return final;
    return { waitMs };
  }

  /** Waits for the call's place in the rate budget (and any pause the upstream asked for), within its deadline. */
  private async admit(call: UpstreamCallOptions): Promise<void> {
    for (;;) {
      if (call.signal?.aborted) throw cancellation(call.signal);
      const now = Date.now();
      const deadlineMs = this.deadlineOf(call);
      if (now >= deadlineMs) {
        const why = deadlineMs === this.cutoffMs ? 'the gateway is shutting down' : 'the mutation ran out of time';
        throw new UpstreamError('UPSTREAM_TIMEOUT', `This call was not sent: ${why}`, {
          shutdown: deadlineMs === this.cutoffMs,
        });
      }
      const wait = await this.budget.admit(call.apiKey, call.priority ?? 'interactive');
      if (wait <= 0) return;
      // A pause longer than a Retry-After is honoured fails at once, as that Retry-After would.
      if (wait > MAX_RETRY_AFTER_SECONDS * 1000 || now + wait >= deadlineMs) {
        throw new UpstreamError(
          'RATE_LIMITED',
          "graph8's rate limit keeps this key waiting past the operation's deadline",
          {
            retryAfterSeconds: Math.ceil(wait / 1000),
            shutdown: deadlineMs === this.cutoffMs,
          },
        );
      }
      this.options.onBudgetWait?.(wait);
      await this.pause(wait, call);
    }
  }

  private async pause(ms: number, call: UpstreamCallOptions): Promise<void> {
    if (call.signal?.aborted) throw cancellation(call.signal);
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, call.signal ? { signal: nativeSignal(call.signal) } : undefined);
    } catch {
      throw cancellation(call.signal);
    }
  }

  private async attempt<T>(
    path: string,
    payload: string,
    decode: (data: unknown) => T | undefined,
    call: UpstreamCallOptions,
  ): Promise<{ value: T; status: number } | AttemptFailure> {
    const remainingMs = this.deadlineOf(call) - Date.now();
    const timeoutMs = Math.max(1, Math.floor(Math.min(this.options.timeoutMs, remainingMs)));
    // undici takes an EventEmitter as the abort signal: a tenth of an AbortController's cost per attempt.
    const deadline = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.emit('abort');
    }, timeoutMs);
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let bodyText: string;
    try {
      const response = await this.options.dispatcher.request({
        origin: this.origin,
        path: `${this.basePath}${path}`,
        method: 'PUT',
        headers: {
          authorization: `Bearer ${call.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'x-request-id': call.requestId,
        },
        body: payload,
        signal: deadline,
      });
      status = response.statusCode;
      headers = response.headers;
      bodyText = await response.body.text();
    } catch (error) {
      return networkFailure(error, timedOut, timeoutMs, this.options.maxResponseBytes);
    } finally {
      clearTimeout(timer);
    }
    this.budget.observe(call.apiKey, status, headers);
    if (status >= 200 && status < 300) {
      const data = parseJsonObject(bodyText)?.data;
      const value = data === undefined ? undefined : decode(data);
      if (value !== undefined) return { value, status };
      const error = parseUpstreamError({ status, headers, bodyText });
      return {
        error: new UpstreamError(
          'UPSTREAM_UNAVAILABLE',
          `graph8 answered HTTP ${status} with a body the gateway could not read`,
          {
            ...error.details,
          },
        ),
        retryable: true,
        timedOut: false,
      };
    }
    return {
      error: parseUpstreamError({ status, headers, bodyText }),
      retryable: RETRYABLE_STATUSES.has(status),
      timedOut: false,
    };
  }
}

/** The path of a route, each `{name}` replaced by its percent-encoded parameter. */
function pathOf(route: string, parameters: Readonly<Record<string, string>> = {}): string {
  return `/${route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(parameters[name] ?? ''))}`;
}

function networkFailure(
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  maxResponseBytes: number | undefined,
): AttemptFailure {
  const code = isObject(error) && typeof error.code === 'string' ? error.code : undefined;
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    // A bigger answer would be as big again: another attempt only costs memory.
    const limit = maxResponseBytes === undefined ? '' : ` (${maxResponseBytes} bytes, UPSTREAM_MAX_RESPONSE_BYTES)`;
    return {
      error: new UpstreamError('UPSTREAM_UNAVAILABLE', `graph8's answer was larger than the gateway reads${limit}`),
      retryable: false,
      timedOut: false,
    };
  }
  if (timedOut || (code !== undefined && NETWORK_TIMEOUT_CODES.has(code))) {
    return {
      error: new UpstreamError('UPSTREAM_TIMEOUT', `graph8 did not answer within ${timeoutMs} ms`),
      retryable: true,
      timedOut: true,
    };
  }
  return {
    error: new UpstreamError('UPSTREAM_UNAVAILABLE', `graph8 could not be reached${code ? ` (${code})` : ''}`),
    retryable: true,
    timedOut: false,
  };
}

/** The reason an operation was cancelled, as the error its unsent calls fail with. */
function cancellation(signal: AbortSignal | undefined): UpstreamError {
  const reason: unknown = signal?.reason;
  if (reason instanceof UpstreamError) return reason;
  return new UpstreamError('UPSTREAM_UNAVAILABLE', 'The operation was cancelled before this call was sent');
}
