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

/**
 * JSON lines, secrets redacted. On stdout they are written asynchronously, so
 * a slow reader of the logs never blocks a request; `flush` before exiting.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'graph8-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
