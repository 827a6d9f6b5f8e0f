import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

export function createGatewayHttpServer(handler: RequestListener): GatewayHttpServer {
  let inFlight = 0;
  let draining = false;
  let onIdle: (() => void) | undefined;
  const server = createServer(
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 0 },
    (request, response) => {
      if (draining) {
        response.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
        response.end(
          JSON.stringify({ errors: [{ message: 'The gateway is shutting down; retry on another instance.' }] }),
        );
        return;
      }
      inFlight++;
      response.once('close', () => {
        inFlight--;
        if (inFlight === 0) onIdle?.();
      });
      handler(request, response);
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
