import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { BatchAssertResult } from './batch/assert-batch.js';
import type { AttemptEvent } from './upstream/client.js';
import type { RecordKind } from './upstream/graph8-api.js';

/**
 * The gateway's Prometheus metrics: Yoga's operation metrics plus the
 * upstream's own. Labels are routes, statuses and outcomes only: never a key,
 * a token, a URL or an input value.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
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

  /** Yoga's operation metrics on the same registry, served at /metrics. */
  yogaPlugin(): Plugin {
    return usePrometheus({
      registry: this.registry,
      endpoint: '/metrics',
      labels: { url: false },
      // Requests, their duration, errors and HTTP time; the per-phase histograms cost more than they tell here.
      metrics: {
        graphql_envelop_request_time_summary: false,
        graphql_envelop_deprecated_field: false,
        graphql_envelop_schema_change: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
      },
    });
  }
}
