import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

/** Every path where a key or token could sit; pino replaces them before a line is written. */
export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'config.apiKey',
  'config.gatewayTokens',
  'gatewayTokens',
];

/** JSON lines on stdout (or the given stream), secrets redacted. */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'graph8-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
