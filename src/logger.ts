import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Where a key or token could sit if someone logged it; pino replaces them
 * before a line is written. Our own lines never carry one; this is the net.
 */
export const REDACTED_PATHS = [
  'apiKey',
  'token',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'config.apiKey',
  'config.gatewayTokens',
  'gatewayTokens',
];

/** Longest a shutdown waits for buffered log lines to reach stdout. */
const FLUSH_TIMEOUT_MS = 2_000;

export interface ProcessLogger {
  readonly logger: Logger;
  /** Writes out what is buffered, giving up after a bound: a dead pipe must not hold the process. */
  flush(): Promise<void>;
}

/**
 * JSON lines on stdout, secrets redacted, written asynchronously so that a slow
 * reader of the logs never blocks a request. A closed stdout (EPIPE, a reader
 * that went away) stops the writing, not the process.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): ProcessLogger {
  const options = {
    level,
    base: { service: 'graph8-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (destination) return { logger: pino(options, destination), flush: () => Promise.resolve() };
  const stdout = pino.destination({ dest: 1, sync: false });
  let closed = false;
  stdout.on('error', () => {
    closed = true;
  });
  const logger = pino(options, stdout);
  return {
    logger,
    flush: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
        logger.flush(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
