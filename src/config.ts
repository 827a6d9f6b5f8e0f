import { z } from 'zod';
import { parseSimulatorFaults, type SimulatorFaults } from './simulator/faults.js';

export const LIVE_API_URL = 'https://api.graph8.com/api/v1';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Where the gateway sends its writes. */
export type UpstreamTarget = { kind: 'SIMULATOR'; faults: SimulatorFaults } | { kind: 'LIVE'; baseUrl: string };

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly upstream: UpstreamTarget;
  /** The key the gateway itself holds; absent means callers bring their own. */
  readonly apiKey: string | undefined;
  readonly gatewayTokens: readonly string[];
  readonly allowAnonymous: boolean;
  readonly upstreamConcurrency: number;
  readonly upstreamTimeoutMs: number;
  readonly upstreamMaxAttempts: number;
  readonly maxItemsPerMutation: number;
  readonly maxBodyBytes: number;
  readonly logLevel: LogLevel;
  readonly corsOrigins: readonly string[];
  readonly shutdownGraceMs: number;
  readonly production: boolean;
}

export type ConfigResult = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] };

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const boolean = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0),
);

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: 'must be an http(s) URL such as https://api.graph8.com/api/v1',
  })
  .transform((value) => value.replace(/\/+$/, ''));

const origin = z.string().refine((value) => URL.canParse(value) && new URL(value).origin === value, {
  error: 'must list origins such as https://app.example.com (scheme, host and port only)',
});

const environmentSchema = z.object({
  PORT: integer(0, 65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  GRAPH8_API_URL: httpUrl.optional(),
  GRAPH8_API_KEY: z.string().optional(),
  GATEWAY_TOKENS: commaList.default([]),
  ALLOW_ANONYMOUS: boolean.default(false),
  UPSTREAM_CONCURRENCY: integer(1, 64).default(4),
  UPSTREAM_TIMEOUT_MS: integer(1, 600_000).default(10_000),
  UPSTREAM_MAX_ATTEMPTS: integer(1, 10).default(4),
  MAX_ITEMS_PER_MUTATION: integer(1, 1_000_000).default(10_000),
  MAX_BODY_BYTES: integer(1024, 1_073_741_824).default(10_485_760),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error', 'silent'], {
      error: 'must be one of debug, info, warn, error, silent',
    })
    .default('info'),
  CORS_ORIGINS: commaList.pipe(z.array(origin)).default([]),
  SHUTDOWN_GRACE_MS: integer(0, 3_600_000).default(30_000),
  NODE_ENV: z.string().optional(),
});

/** Variables whose values are secrets: never echoed back in an error line. */
const SECRET_VARIABLES = new Set(['GRAPH8_API_KEY', 'GATEWAY_TOKENS']);

/** Reads the environment once; every bad variable is reported, one line each. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const present = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .map((name) => [name, env[name]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  const faults = parseSimulatorFaults(env);
  const errors: string[] = [...faults.errors];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(present[name])})`;
      errors.push(`${name}: ${issue.message}${shown}`);
    }
    return { ok: false, errors };
  }
  const vars = parsed.data;
  const production = vars.NODE_ENV === 'production';
  const embedded = vars.GRAPH8_API_URL === undefined && vars.GRAPH8_API_KEY === undefined;
  if (embedded && production) {
    errors.push(
      'GRAPH8_API_URL: not set, nor GRAPH8_API_KEY; with NODE_ENV=production the gateway needs a real upstream (the built-in simulator is for development only)',
    );
  }
  if (vars.GRAPH8_API_KEY !== undefined && vars.GATEWAY_TOKENS.length === 0 && !vars.ALLOW_ANONYMOUS) {
    errors.push(
      'GATEWAY_TOKENS: not set while GRAPH8_API_KEY is; list the bearer tokens callers must show (or set ALLOW_ANONYMOUS=true for local development)',
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({
      port: vars.PORT,
      host: vars.HOST,
      upstream: embedded
        ? { kind: 'SIMULATOR', faults: faults.value }
        : { kind: 'LIVE', baseUrl: vars.GRAPH8_API_URL ?? LIVE_API_URL },
      apiKey: vars.GRAPH8_API_KEY,
      gatewayTokens: Object.freeze(vars.GATEWAY_TOKENS),
      allowAnonymous: vars.ALLOW_ANONYMOUS,
      upstreamConcurrency: vars.UPSTREAM_CONCURRENCY,
      upstreamTimeoutMs: vars.UPSTREAM_TIMEOUT_MS,
      upstreamMaxAttempts: vars.UPSTREAM_MAX_ATTEMPTS,
      maxItemsPerMutation: vars.MAX_ITEMS_PER_MUTATION,
      maxBodyBytes: vars.MAX_BODY_BYTES,
      logLevel: vars.LOG_LEVEL,
      corsOrigins: Object.freeze(vars.CORS_ORIGINS),
      shutdownGraceMs: vars.SHUTDOWN_GRACE_MS,
      production,
    } satisfies GatewayConfig),
  };
}
