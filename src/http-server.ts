import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorBody, type GatewayErrorCode } from './errors.js';
import { JSON_MEDIA_TYPES, MULTIPART_MEDIA_TYPE } from './plugins/use-request-policy.js';
import { safeRequestId } from './request-scope.js';

/** Above the 60 s idle timeout common load balancers use, so they close first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const HEADERS_TIMEOUT_MS = 66_000;

export interface GatewayHttpServer {
  readonly server: Server;
  /** Requests being answered right now. */
  inFlight(): number;
  /**
   * Stops taking requests (a request on a kept-alive connection gets 503 with
   * `Connection: close`) and resolves once those in flight have finished, or
   * after `graceMs`; true when all finished in time.
   */
  drain(graceMs: number): Promise<boolean>;
}

/** A Node request whose body was already read: the fetch adapter takes `body` instead of the stream. */
type ReadRequest = IncomingMessage & { body?: unknown };
type RequestListener = (request: ReadRequest, response: ServerResponse) => void;

function answerJson(
  response: ServerResponse,
  status: number,
  message: string,
  code: GatewayErrorCode,
  close: boolean,
): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(errorBody(message, code));
}

/** A refused body this much over its limit is still read to its end, so that the client gets the 413 rather than a reset. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;

/** 413 for a body whose Content-Length is over the limit: drained when a little over, else the connection closed. */
function refuseDeclared(request: ReadRequest, response: ServerResponse, excessBytes: number, message: string): void {
  answerJson(response, 413, message, 'PAYLOAD_TOO_LARGE', excessBytes > DRAIN_LIMIT_BYTES);
  request.resume();
}

/**
 * Reads the body here, refusing it with 413 past `maxBodyBytes` before any of
 * it is parsed (by Content-Length at once, by counting for chunked bodies).
 * Doing it here rather than in Yoga's stream pipeline halves the CPU of a small
 * mutation; a JSON body is handed over already parsed.
 */
function readBody(request: ReadRequest, response: ServerResponse, maxBodyBytes: number, then: () => void): void {
  const message = `Request body too large: at most ${maxBodyBytes} bytes.`;
  const refuseTooLarge = () => answerJson(response, 413, message, 'PAYLOAD_TOO_LARGE', true);
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBodyBytes) {
    refuseDeclared(request, response, Number(declared) - maxBodyBytes, message);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  request.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > maxBodyBytes) {
      refused = true;
      chunks.length = 0;
      refuseTooLarge();
      return;
    }
    chunks.push(chunk);
  });
  request.once('end', () => {
    if (refused) return;
    if (size === 0) {
      answerJson(response, 400, 'The request body is empty: send a JSON object with a query.', 'BAD_REQUEST', false);
      return;
    }
    const text = Buffer.concat(chunks, size).toString('utf8');
    request.body = text;
    if (JSON_MEDIA_TYPES.test(request.headers['content-type'] ?? '')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length > 0) request.body = parsed;
      } catch {
        // Yoga answers broken JSON with its own 400.
      }
    }
    then();
  });
  request.once('error', () => response.destroy());
}

export interface HttpServerOptions {
  readonly maxBodyBytes: number;
  /** A file upload (multipart) may be this large instead; it streams through unread, so it needs a Content-Length. */
  readonly maxUploadBytes: number;
  /** Called once per request taken (413s included, the 503s of a drain not) when its response is done. */
  readonly onAnswered?: (method: string, status: number, seconds: number) => void;
}

export function createGatewayHttpServer(handler: RequestListener, options: HttpServerOptions): GatewayHttpServer {
  const { maxBodyBytes, maxUploadBytes, onAnswered } = options;
  let inFlight = 0;
  let draining = false;
  /** Node's parser never reads past Content-Length, so the declared size bounds what Yoga receives. */
  const passUpload = (request: ReadRequest, response: ServerResponse) => {
    const declared = request.headers['content-length'];
    if (declared === undefined) {
      answerJson(response, 411, 'A file upload needs a Content-Length header.', 'BAD_REQUEST', true);
      request.resume();
    } else if (Number(declared) > maxUploadBytes) {
      refuseDeclared(
        request,
        response,
        Number(declared) - maxUploadBytes,
        `Upload too large: at most ${maxUploadBytes} bytes.`,
      );
    } else handler(request, response);
  };
  let onIdle: (() => void) | undefined;
  const server = createServer(
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 0 },
    (request: ReadRequest, response) => {
      // One id for the whole request, the caller's own when safe: Yoga reads it from here, and our own answers carry it.
      const requestId = safeRequestId(request.headers['x-request-id'] as string | undefined);
      request.headers['x-request-id'] = requestId;
      response.setHeader('x-request-id', requestId);
      if (draining) {
        response.setHeader('retry-after', '1');
        answerJson(
          response,
          503,
          'The gateway is shutting down; retry on another instance.',
          'SERVICE_UNAVAILABLE',
          true,
        );
        request.resume();
        return;
      }
      inFlight++;
      const started = performance.now();
      response.once('close', () => {
        onAnswered?.(request.method ?? 'other', response.statusCode, (performance.now() - started) / 1000);
        inFlight--;
        if (inFlight === 0) onIdle?.();
      });
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS')
        handler(request, response);
      else if (MULTIPART_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) passUpload(request, response);
      else readBody(request, response, maxBodyBytes, () => handler(request, response));
    },
  );
  return {
    server,
    inFlight: () => inFlight,
    drain(graceMs) {
      draining = true;
      server.close();
      server.closeIdleConnections();
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), graceMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
    },
  };
}
