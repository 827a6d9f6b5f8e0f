import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchAssertResult } from './batch/assert-batch.js';
import type { AttemptEvent } from './upstream/client.js';
import type { RecordKind } from './upstream/graph8-api.js';

/** Methods counted by name; anything else is `other`, so that a client cannot mint label values. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);

/**
 * The gateway's Prometheus metrics: HTTP requests, GraphQL operations and
 * their error codes, the upstream's calls, batches, and the process's own.
 * Labels are methods, routes, statuses, codes and outcomes only: never a key,
 * a token, a URL, an operation name or an input value.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: 'graph8_http_request_duration_seconds',
    help: 'HTTP requests answered, by method and status, from the first byte read to the last byte written',
    labelNames: ['method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly operations = new Counter({
    name: 'graph8_graphql_operations_total',
    help: 'GraphQL operations executed, by operation type and outcome (ok, or error when any error came back)',
    labelNames: ['operation_type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly operationErrors = new Counter({
    name: 'graph8_graphql_errors_total',
    help: 'Errors in executed GraphQL operations, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly upstreamRequests = new Counter({
    name: 'graph8_upstream_requests_total',
    help: 'Upstream attempts by route and HTTP status ("network" when there was no answer)',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly upstreamCalls = new Counter({
    name: 'graph8_upstream_calls_total',
    help: 'Upstream calls (a call and its retries count once) by route and final outcome',
    labelNames: ['route', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly upstreamRetries = new Counter({
    name: 'graph8_upstream_retries_total',
    help: 'Upstream attempts that were followed by a retry, by route',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'graph8_upstream_request_duration_seconds',
    help: 'Duration of one upstream attempt, by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly batchItems = new Counter({
    name: 'graph8_batch_items_total',
    help: 'Items of assertContacts/assertCompanies by kind and outcome (created, updated, failed, folded)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly batchChunks = new Counter({
    name: 'graph8_batch_chunks_total',
    help: 'Upstream batch calls planned, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  private readonly importRows = new Counter({
    name: 'graph8_import_rows_total',
    help: 'Import rows counted, by kind and outcome (created, updated, failed, skipped), by the copy that ran their chunk',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly importChunkDuration = new Histogram({
    name: 'graph8_import_chunk_duration_seconds',
    help: 'Time one import chunk took, from its claim to its count (its upstream call and retries included)',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly budgetWaits = new Counter({
    name: 'graph8_upstream_budget_waits_total',
    help: 'Upstream calls that waited for the rate budget (UPSTREAM_RATE_LIMIT) or a pause graph8 asked for',
    registers: [this.registry],
  });
  private readonly budgetWaitSeconds = new Counter({
    name: 'graph8_upstream_budget_wait_seconds_total',
    help: 'Time upstream calls spent waiting for the rate budget',
    registers: [this.registry],
  });
  private readonly budgetShared = new Gauge({
    name: 'graph8_upstream_budget_shared',
    help: '1 while the rate budget is shared through Redis, 0 while this copy keeps its own (Redis unreachable, or no REDIS_URL)',
    registers: [this.registry],
  });
  private importStates: (() => Promise<Readonly<Record<string, number>>>) | undefined;

  constructor() {
    new Gauge({
      name: 'graph8_imports',
      help: 'Imports by state, over every copy (ended ones until their retention ends)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect: async function collect(this: Gauge<'state'>) {
        const states = await readStates();
        for (const [state, count] of Object.entries(states)) this.set({ state }, count);
      },
    });
    const readStates = async () => {
      try {
        return (await this.importStates?.()) ?? {};
      } catch {
        // The store is unreachable: the scrape still answers, without this gauge's values.
        return {};
      }
    };
    // Event-loop delay sampled every 50 ms, not prom-client's 10: waking 100 times a second cost an idle gateway 1% of a core.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 50 });
  }

  recordHttpRequest(method: string, status: number, seconds: number): void {
    this.httpDuration.observe(
      { method: KNOWN_METHODS.has(method) ? method : 'other', status: String(status) },
      seconds,
    );
  }

  recordOperation(operationType: string, errorCodes: readonly string[]): void {
    this.operations.inc({ operation_type: operationType, outcome: errorCodes.length === 0 ? 'ok' : 'error' });
    for (const code of errorCodes) this.operationErrors.inc({ code });
  }

  recordAttempt(event: AttemptEvent): void {
    const route = event.route;
    this.upstreamRequests.inc({ route, status: event.status === undefined ? 'network' : String(event.status) });
    this.upstreamDuration.observe({ route }, event.durationMs / 1000);
    if (event.outcome === 'retry') this.upstreamRetries.inc({ route });
    else this.upstreamCalls.inc({ route, outcome: event.outcome });
  }

  recordBatch(kind: RecordKind, result: BatchAssertResult): void {
    this.batchItems.inc({ kind, outcome: 'created' }, result.created);
    this.batchItems.inc({ kind, outcome: 'updated' }, result.updated);
    this.batchItems.inc({ kind, outcome: 'failed' }, result.failed);
    this.batchItems.inc({ kind, outcome: 'folded' }, result.deduplicated);
    this.batchChunks.inc({ kind }, result.chunks);
  }

  recordBudgetWait(waitMs: number): void {
    this.budgetWaits.inc();
    this.budgetWaitSeconds.inc(waitMs / 1000);
  }

  setBudgetShared(shared: boolean): void {
    this.budgetShared.set(shared ? 1 : 0);
  }

  /** Where graph8_imports reads its counts from on each scrape. */
  watchImports(countByState: () => Promise<Readonly<Record<string, number>>>): void {
    this.importStates = countByState;
  }

  recordImportChunk(
    kind: RecordKind,
    rows: Readonly<Record<'created' | 'updated' | 'failed' | 'skipped', number>>,
    seconds: number,
  ): void {
    for (const [outcome, count] of Object.entries(rows)) if (count > 0) this.importRows.inc({ kind, outcome }, count);
    this.importChunkDuration.observe({ kind }, seconds);
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
