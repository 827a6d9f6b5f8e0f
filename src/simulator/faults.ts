/** Faults the simulator injects, read from SIMULATOR_* variables. */
export interface SimulatorFaults {
  /** Added to every call, in milliseconds. */
  readonly latencyMs: number;
  /** Share of calls answered 503, from 0 to 1. */
  readonly errorRate: number;
  /** Calls per second per key before 429s; 0 means unlimited. */
  readonly rateLimitPerSecond: number;
  /** Share of calls whose connection is reset, half of them after the write was made. */
  readonly resetRate?: number;
  /** Share of calls delayed by a further `spikeMs`. */
  readonly spikeRate?: number;
  readonly spikeMs?: number;
}

export const NO_FAULTS: SimulatorFaults = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  rateLimitPerSecond: 0,
});

interface FaultVariable {
  readonly name: string;
  readonly key: keyof SimulatorFaults;
  readonly valid: (value: number) => boolean;
  readonly rule: string;
}

const FAULT_VARIABLES: readonly FaultVariable[] = [
  {
    name: 'SIMULATOR_LATENCY_MS',
    key: 'latencyMs',
    valid: (v) => Number.isInteger(v) && v >= 0 && v <= 600_000,
    rule: 'must be a whole number of milliseconds from 0 to 600000',
  },
  {
    name: 'SIMULATOR_ERROR_RATE',
    key: 'errorRate',
    valid: (v) => v >= 0 && v <= 1,
    rule: 'must be a number from 0 to 1',
  },
  {
    name: 'SIMULATOR_RATE_LIMIT',
    key: 'rateLimitPerSecond',
    valid: (v) => Number.isInteger(v) && v >= 0,
    rule: 'must be a whole number of calls per second (0 for no limit)',
  },
  {
    name: 'SIMULATOR_RESET_RATE',
    key: 'resetRate',
    valid: (v) => v >= 0 && v <= 1,
    rule: 'must be a number from 0 to 1',
  },
  {
    name: 'SIMULATOR_SPIKE_RATE',
    key: 'spikeRate',
    valid: (v) => v >= 0 && v <= 1,
    rule: 'must be a number from 0 to 1',
  },
  {
    name: 'SIMULATOR_SPIKE_MS',
    key: 'spikeMs',
    valid: (v) => Number.isInteger(v) && v >= 0 && v <= 600_000,
    rule: 'must be a whole number of milliseconds from 0 to 600000',
  },
];

export function parseSimulatorFaults(env: Readonly<Record<string, string | undefined>>): {
  value: SimulatorFaults;
  errors: string[];
} {
  const value: { -readonly [K in keyof SimulatorFaults]: SimulatorFaults[K] } = { ...NO_FAULTS };
  const errors: string[] = [];
  for (const variable of FAULT_VARIABLES) {
    const raw = env[variable.name]?.trim();
    if (raw === undefined || raw === '') continue;
    const parsed = Number(raw);
    if (Number.isFinite(parsed) && variable.valid(parsed)) value[variable.key] = parsed;
    else errors.push(`${variable.name}: ${variable.rule} (got ${JSON.stringify(raw)})`);
  }
  return { value: Object.freeze(value), errors };
}
