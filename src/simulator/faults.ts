/** Faults the simulator injects; src/config.ts reads them from the SIMULATOR_* variables. */
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
