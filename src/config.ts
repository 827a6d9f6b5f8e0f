import { z } from 'zod';
import type { SimulatorFaults } from './simulator/faults.js';

/**
 * Every environment variable the gateway and its simulator read, declared
 * once: its rule, default and meaning. `parseConfig` reads them all at once
 * and reports every bad one; `--help` prints this table, and the README's
 * table lists the same names (a test checks).
 */

export const LIVE_API_URL = 'https://api.graph8.com/api/v1';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Where the gateway sends its writes. */
export type UpstreamTarget = { kind: 'SIMULATOR'; faults: SimulatorFaults } | { kind: 'LIVE'; baseUrl: string };

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const share = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'must be a number from 0 to 1')
  .transform(Number);

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

interface Variable {
  readonly schema: z.ZodType;
  /** As written in the environment; none means "not set". */
  readonly default?: string;
  readonly meaning: string;
  /** Its value is never echoed back. */
  readonly secret?: boolean;
}

export const VARIABLES = {
  PORT: { schema: integer(0, 65535), default: '4000', meaning: 'port to listen on' },
  HOST: { schema: z.string(), default: '127.0.0.1', meaning: 'address to listen on (0.0.0.0 in a container)' },
  GRAPH8_API_URL: {
    schema: httpUrl,
    meaning: `upstream base URL, including /api/v1 (${LIVE_API_URL} when only a key is set)`,
  },
  GRAPH8_API_KEY: { schema: z.string(), secret: true, meaning: 'the key the gateway itself sends upstream' },
  GATEWAY_TOKENS: {
    schema: commaList,
    secret: true,
    meaning: 'comma-separated bearer tokens that clients must show when the gateway holds the key',
  },
  ALLOW_ANONYMOUS: {
    schema: boolean,
    default: 'false',
    meaning: "let clients without a token use the gateway's key (local development only)",
  },
  UPSTREAM_CONCURRENCY: { schema: integer(1, 64), default: '4', meaning: 'batch calls one mutation keeps in flight' },
  UPSTREAM_TIMEOUT_MS: { schema: integer(1, 600_000), default: '10000', meaning: "one upstream attempt's deadline" },
  UPSTREAM_MAX_ATTEMPTS: {
    schema: integer(1, 10),
    default: '4',
    meaning: 'attempts per upstream call, the first included',
  },
  UPSTREAM_CONNECTIONS: {
    schema: integer(1, 1024),
    default: '64',
    meaning: 'keep-alive connections to the upstream, shared by all requests',
  },
  UPSTREAM_MAX_RESPONSE_BYTES: {
    schema: integer(1024, 1_073_741_824),
    default: '4194304',
    meaning: 'largest upstream answer read; a bigger one fails its call (UPSTREAM_UNAVAILABLE, not retried)',
  },
  MUTATION_DEADLINE_MS: {
    schema: integer(1000, 3_600_000),
    default: '60000',
    meaning: 'a mutation as a whole gives up after this long',
  },
  MAX_ITEMS_PER_MUTATION: {
    schema: integer(1, 1_000_000),
    default: '10000',
    meaning: 'most items one mutation may carry',
  },
  MAX_BODY_BYTES: {
    schema: integer(1024, 1_073_741_824),
    default: '10485760',
    meaning: 'largest request body accepted (413 above)',
  },
  LOG_LEVEL: {
    schema: z.enum(['debug', 'info', 'warn', 'error', 'silent'], {
      error: 'must be one of debug, info, warn, error, silent',
    }),
    default: 'info',
    meaning: 'debug, info, warn, error or silent; logs are JSON lines on stdout',
  },
  CORS_ORIGINS: {
    schema: commaList.pipe(z.array(origin)),
    meaning: 'comma-separated origins that browsers may call from; none means no cross-origin access',
  },
  SHUTDOWN_GRACE_MS: {
    schema: integer(0, 3_600_000),
    default: '30000',
    meaning: 'how long a SIGTERM waits for in-flight operations to finish',
  },
  GRAPHIQL: { schema: boolean, default: 'true', meaning: 'serve GraphiQL to browsers on GET /graphql' },
  INTROSPECTION: {
    schema: boolean,
    default: 'true',
    meaning: 'answer introspection (__schema, __type); federation _service stays either way',
  },
  REDIS_URL: {
    schema: z.string().refine((value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol), {
      error: 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
    }),
    secret: true,
    meaning: 'Redis for imports (and the shared upstream budget); none means imports live in this process',
  },
  IMPORT_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters'),
    secret: true,
    meaning:
      "required with REDIS_URL, the same on every copy: keys the owner hashes, the report links and the encryption of callers' keys at rest",
  },
  IMPORT_CONCURRENCY: {
    schema: integer(1, 256),
    default: '4',
    meaning: "upstream calls one copy's import workers keep in flight",
  },
  IMPORT_WORKERS: { schema: boolean, default: 'true', meaning: 'false: this copy serves the API and runs no chunks' },
  IMPORT_STALL_MS: {
    schema: integer(2000, 3_600_000),
    default: '30000',
    meaning: 'how soon the chunks of a copy that died are taken up',
  },
  IMPORT_RETENTION_HOURS: {
    schema: integer(1, 87_600),
    default: '168',
    meaning: 'how long an ended import (and an OPEN one never started) stays readable',
  },
  MAX_ROWS_PER_IMPORT: {
    schema: integer(1, 100_000_000),
    default: '1000000',
    meaning: 'most rows one import may hold',
  },
  UPSTREAM_RATE_LIMIT: {
    schema: integer(1, 1_000_000),
    meaning:
      'calls per second per upstream key, counted in whole Unix seconds; with REDIS_URL shared by every copy, else per process',
  },
  IMPORT_RATE_SHARE: {
    schema: share,
    default: '0.8',
    meaning: 'most of UPSTREAM_RATE_LIMIT imports take while mutations want it',
  },
  MAX_UPLOAD_BYTES: {
    schema: integer(1024, 4_294_967_296),
    default: '104857600',
    meaning: 'largest appendFile request (413 above)',
  },
  NODE_ENV: {
    schema: z.string(),
    meaning: 'production refuses the built-in simulator and hides field suggestions',
  },
  SIMULATOR_LATENCY_MS: {
    schema: integer(0, 600_000),
    default: '0',
    meaning: 'simulator: milliseconds added to every call',
  },
  SIMULATOR_ERROR_RATE: { schema: share, default: '0', meaning: 'simulator: share of calls answered 503, 0 to 1' },
  SIMULATOR_RATE_LIMIT: {
    schema: integer(0, 1_000_000),
    default: '0',
    meaning: 'simulator: calls per second per key before 429 with Retry-After (0: no limit)',
  },
  SIMULATOR_RESET_RATE: {
    schema: share,
    default: '0',
    meaning: 'simulator: share of calls whose connection is reset, half of them after the write',
  },
  SIMULATOR_SPIKE_RATE: {
    schema: share,
    default: '0',
    meaning: 'simulator: share of calls delayed by SIMULATOR_SPIKE_MS',
  },
  SIMULATOR_SPIKE_MS: { schema: integer(0, 600_000), default: '0', meaning: 'simulator: length of a latency spike' },
  SIMULATOR_PORT: { schema: integer(0, 65535), default: '4010', meaning: 'npm run simulator: port to listen on' },
  SIMULATOR_HOST: { schema: z.string(), default: '127.0.0.1', meaning: 'npm run simulator: address to listen on' },
} as const satisfies Record<string, Variable>;

type VariableName = keyof typeof VARIABLES;
type Values = { -readonly [Name in VariableName]: z.output<(typeof VARIABLES)[Name]['schema']> | undefined };

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
  readonly upstreamConnections: number;
  readonly upstreamMaxResponseBytes: number;
  readonly mutationDeadlineMs: number;
  readonly maxItemsPerMutation: number;
  readonly maxBodyBytes: number;
  readonly logLevel: LogLevel;
  readonly corsOrigins: readonly string[];
  readonly shutdownGraceMs: number;
  /** The upstream's rate budget; none: no limit of the gateway's own (graph8's answers still pause it). */
  readonly rateLimit: { readonly perSecond: number; readonly importShare: number } | undefined;
  readonly graphiql: boolean;
  readonly introspection: boolean;
  readonly production: boolean;
  readonly imports: {
    readonly redisUrl: string | undefined;
    readonly secret: string | undefined;
    readonly concurrency: number;
    readonly workers: boolean;
    readonly stallMs: number;
    readonly retentionMs: number;
    readonly maxRowsPerImport: number;
    readonly maxUploadBytes: number;
  };
}

export interface SimulatorConfig {
  readonly port: number;
  readonly host: string;
  readonly faults: SimulatorFaults;
}

export type Parsed<T> = { ok: true; config: T; warnings: string[] } | { ok: false; errors: string[] };

type Environment = Readonly<Record<string, string | undefined>>;

/** Reads the named variables (empty counts as not set), each through its rule; every bad one is a line. */
function readVariables(env: Environment, names: readonly VariableName[]): { values: Values; errors: string[] } {
  const values = {} as Values;
  const errors: string[] = [];
  for (const name of names) {
    const variable: Variable = VARIABLES[name];
    const given = env[name] === '' ? undefined : env[name];
    const raw = given ?? variable.default;
    if (raw === undefined) continue;
    const parsed = variable.schema.safeParse(raw);
    if (parsed.success) (values as Record<string, unknown>)[name] = parsed.data;
    else {
      const shown = variable.secret ? '' : ` (got ${JSON.stringify(raw)})`;
      errors.push(`${name}: ${parsed.error.issues[0]?.message ?? 'is not valid'}${shown}`);
    }
  }
  return { values, errors };
}

const SIMULATOR_FAULT_NAMES = [
  'SIMULATOR_LATENCY_MS',
  'SIMULATOR_ERROR_RATE',
  'SIMULATOR_RATE_LIMIT',
  'SIMULATOR_RESET_RATE',
  'SIMULATOR_SPIKE_RATE',
  'SIMULATOR_SPIKE_MS',
] as const satisfies readonly VariableName[];

function faultsOf(values: Values): SimulatorFaults {
  return Object.freeze({
    latencyMs: values.SIMULATOR_LATENCY_MS ?? 0,
    errorRate: values.SIMULATOR_ERROR_RATE ?? 0,
    rateLimitPerSecond: values.SIMULATOR_RATE_LIMIT ?? 0,
    resetRate: values.SIMULATOR_RESET_RATE ?? 0,
    spikeRate: values.SIMULATOR_SPIKE_RATE ?? 0,
    spikeMs: values.SIMULATOR_SPIKE_MS ?? 0,
  });
}

/** Reads the gateway's environment once; every bad variable is reported, one line each. */
export function parseConfig(env: Environment): Parsed<GatewayConfig> {
  const gatewayNames = (Object.keys(VARIABLES) as VariableName[]).filter(
    (name) => name !== 'SIMULATOR_PORT' && name !== 'SIMULATOR_HOST',
  );
  const { values: vars, errors } = readVariables(env, gatewayNames);
  if (errors.length > 0) return { ok: false, errors };
  const production = vars.NODE_ENV === 'production';
  const embedded = vars.GRAPH8_API_URL === undefined && vars.GRAPH8_API_KEY === undefined;
  if (embedded && production) {
    errors.push(
      'GRAPH8_API_URL: not set, nor GRAPH8_API_KEY; with NODE_ENV=production the gateway needs a real upstream (the built-in simulator is for development only)',
    );
  }
  const gatewayTokens = vars.GATEWAY_TOKENS ?? [];
  const allowAnonymous = vars.ALLOW_ANONYMOUS ?? false;
  if (vars.GRAPH8_API_KEY !== undefined && gatewayTokens.length === 0 && !allowAnonymous) {
    errors.push(
      'GATEWAY_TOKENS: not set while GRAPH8_API_KEY is; list the bearer tokens callers must show (or set ALLOW_ANONYMOUS=true for local development)',
    );
  }
  const config = Object.freeze({
    port: vars.PORT as number,
    host: vars.HOST as string,
    upstream: embedded
      ? { kind: 'SIMULATOR', faults: faultsOf(vars) }
      : { kind: 'LIVE', baseUrl: vars.GRAPH8_API_URL ?? LIVE_API_URL },
    apiKey: vars.GRAPH8_API_KEY,
    gatewayTokens: Object.freeze(gatewayTokens),
    allowAnonymous,
    upstreamConcurrency: vars.UPSTREAM_CONCURRENCY as number,
    upstreamTimeoutMs: vars.UPSTREAM_TIMEOUT_MS as number,
    upstreamMaxAttempts: vars.UPSTREAM_MAX_ATTEMPTS as number,
    upstreamConnections: vars.UPSTREAM_CONNECTIONS as number,
    upstreamMaxResponseBytes: vars.UPSTREAM_MAX_RESPONSE_BYTES as number,
    mutationDeadlineMs: vars.MUTATION_DEADLINE_MS as number,
    maxItemsPerMutation: vars.MAX_ITEMS_PER_MUTATION as number,
    maxBodyBytes: vars.MAX_BODY_BYTES as number,
    logLevel: vars.LOG_LEVEL as LogLevel,
    corsOrigins: Object.freeze(vars.CORS_ORIGINS ?? []),
    shutdownGraceMs: vars.SHUTDOWN_GRACE_MS as number,
    rateLimit:
      vars.UPSTREAM_RATE_LIMIT === undefined
        ? undefined
        : Object.freeze({ perSecond: vars.UPSTREAM_RATE_LIMIT, importShare: vars.IMPORT_RATE_SHARE as number }),
    graphiql: vars.GRAPHIQL as boolean,
    introspection: vars.INTROSPECTION as boolean,
    production,
    imports: Object.freeze({
      redisUrl: vars.REDIS_URL,
      secret: vars.IMPORT_SECRET,
      concurrency: vars.IMPORT_CONCURRENCY as number,
      workers: vars.IMPORT_WORKERS as boolean,
      stallMs: vars.IMPORT_STALL_MS as number,
      retentionMs: (vars.IMPORT_RETENTION_HOURS as number) * 3_600_000,
      maxRowsPerImport: vars.MAX_ROWS_PER_IMPORT as number,
      maxUploadBytes: vars.MAX_UPLOAD_BYTES as number,
    }),
  } satisfies GatewayConfig);
  errors.push(...limitConflicts(config));
  if (config.imports.redisUrl !== undefined && config.imports.secret === undefined) {
    errors.push('IMPORT_SECRET: not set while REDIS_URL is; give every copy the same secret of 32 characters or more');
  }
  if (errors.length > 0) return { ok: false, errors };
  const warnings = lookalikeWarnings(env);
  if (production && config.imports.redisUrl === undefined) {
    warnings.push(
      "REDIS_URL is not set: imports live in this process's memory, are not shared with other copies and are lost when it ends",
    );
  }
  return { ok: true, config, warnings };
}

/** Limits that only make sense together. */
function limitConflicts(config: GatewayConfig): string[] {
  const conflicts: string[] = [];
  if (config.upstreamTimeoutMs > config.mutationDeadlineMs) {
    conflicts.push(
      `UPSTREAM_TIMEOUT_MS: ${config.upstreamTimeoutMs} is longer than MUTATION_DEADLINE_MS (${config.mutationDeadlineMs}); one attempt cannot outlast the mutation`,
    );
  }
  if (config.upstreamConnections < config.imports.concurrency) {
    conflicts.push(
      `UPSTREAM_CONNECTIONS: ${config.upstreamConnections} is fewer than IMPORT_CONCURRENCY (${config.imports.concurrency}); the import workers could never have their calls in flight`,
    );
  }
  if (config.upstreamConnections < config.upstreamConcurrency) {
    conflicts.push(
      `UPSTREAM_CONNECTIONS: ${config.upstreamConnections} is fewer than UPSTREAM_CONCURRENCY (${config.upstreamConcurrency}); one mutation could never have its calls in flight`,
    );
  }
  return conflicts;
}

/** `npm run simulator`'s own variables: where it listens and the faults it injects. */
export function parseSimulatorConfig(env: Environment): Parsed<SimulatorConfig> {
  const { values, errors } = readVariables(env, ['SIMULATOR_PORT', 'SIMULATOR_HOST', ...SIMULATOR_FAULT_NAMES]);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: { port: values.SIMULATOR_PORT as number, host: values.SIMULATOR_HOST as string, faults: faultsOf(values) },
    warnings: lookalikeWarnings(env),
  };
}

/**
 * Variables that look like one of ours but are not (GRAPH8_APIKEY,
 * UPSTREAM_CONCURENCY): the same letters without underscores, or one or two
 * letters off in a long name. Short names are left alone: PATH is not PORT.
 */
function lookalikeWarnings(env: Environment): string[] {
  const known = Object.keys(VARIABLES);
  const squeeze = (name: string) => name.replaceAll('_', '');
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (name in VARIABLES) continue;
    const resembled = known.find(
      (ours) => squeeze(ours) === squeeze(name) || (name.length >= 8 && editDistance(name, ours) <= 2),
    );
    if (resembled) warnings.push(`${name} is not a setting of the gateway's; did you mean ${resembled}?`);
  }
  return warnings;
}

/** Levenshtein distance, for spotting misspelt variable names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The table `--help` prints: every variable, its default and its meaning. */
export function configurationHelp(): string {
  const rows = Object.entries(VARIABLES).map(([name, variable]: [string, Variable]) => [
    name,
    variable.default ?? '(none)',
    variable.meaning,
  ]);
  const nameWidth = Math.max(...rows.map(([name]) => (name as string).length));
  const defaultWidth = Math.max(...rows.map(([, value]) => (value as string).length));
  return rows
    .map(([name, value, meaning]) => `  ${name?.padEnd(nameWidth)}  ${value?.padEnd(defaultWidth)}  ${meaning}`)
    .join('\n');
}
