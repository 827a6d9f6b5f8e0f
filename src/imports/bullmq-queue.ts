import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChunkQueue, ChunkRunOutcome } from './import-model.js';

export const CHUNK_QUEUE_NAME = 'graph8-import-chunks';
/** How soon a chunk that must wait (or was left by a copy shutting down) is tried again. */
const RETRY_DELAY_MS = 250;
/** Chunks added to Redis per call when an import starts. */
const ENQUEUE_BATCH = 1_000;

interface ChunkJob {
  readonly importId: string;
  readonly chunk: number;
}

export interface BullChunkQueueOptions {
  /** Fails fast when Redis is down, so that a start answers SERVICE_UNAVAILABLE. */
  readonly producer: Redis;
  /** Makes the worker's own connections (BullMQ needs maxRetriesPerRequest: null, and blocks on one). */
  readonly workerConnection: () => Redis;
  readonly concurrency: number;
  readonly stallMs: number;
  readonly onFailure: (error: unknown) => void;
}

/**
 * Chunks as BullMQ jobs on Redis: delivered at least once, so each chunk is
 * counted once by the store, not by the queue. A copy that dies holding a
 * chunk loses its lock; within IMPORT_STALL_MS another copy (or it, back
 * again) takes the chunk up. A chunk never fails for good: a run that
 * throws (Redis down, say) is tried again a second later.
 */
export class BullChunkQueue implements ChunkQueue {
  private readonly queue: Queue<ChunkJob>;
  private worker: Worker<ChunkJob> | undefined;

  constructor(private readonly options: BullChunkQueueOptions) {
    this.queue = new Queue<ChunkJob>(CHUNK_QUEUE_NAME, { connection: options.producer });
  }

  async enqueue(importId: string, chunks: number): Promise<void> {
    for (let first = 0; first < chunks; first += ENQUEUE_BATCH) {
      const jobs = Array.from({ length: Math.min(ENQUEUE_BATCH, chunks - first) }, (_, offset) => {
        const chunk = first + offset;
        return {
          name: 'chunk',
          data: { importId, chunk },
          opts: {
            // One job per chunk while it waits: a second start adds nothing.
            jobId: `${importId}-${chunk}`,
            removeOnComplete: true,
            removeOnFail: 1_000,
            attempts: Number.MAX_SAFE_INTEGER,
            backoff: { type: 'fixed', delay: 1_000 },
          },
        };
      });
      await this.queue.addBulk(jobs);
    }
  }

  work(run: (importId: string, chunk: number) => Promise<ChunkRunOutcome>): void {
    // A dead copy's lock runs out after half of IMPORT_STALL_MS; the stalled check, every quarter, then hands the
    // chunk on at its second look (it moves only jobs an earlier check saw): within IMPORT_STALL_MS in all.
    const half = Math.max(1_000, Math.floor(this.options.stallMs / 2));
    const quarter = Math.max(500, Math.floor(this.options.stallMs / 4));
    const worker: Worker<ChunkJob> = new Worker<ChunkJob>(
      CHUNK_QUEUE_NAME,
      async (job: Job<ChunkJob>, token?: string) => {
        const outcome = await run(job.data.importId, job.data.chunk);
        if (outcome === 'done') return;
        if (outcome !== 'later') {
          // graph8 refused the key for a while: every worker of the queue pauses, the chunk waits without using an attempt.
          await worker.rateLimit(outcome.rateLimitedForMs);
          throw Worker.RateLimitError();
        }
        await job.moveToDelayed(Date.now() + RETRY_DELAY_MS, token);
        throw new DelayedError();
      },
      {
        connection: this.options.workerConnection(),
        concurrency: this.options.concurrency,
        lockDuration: half,
        stalledInterval: quarter,
        // A chunk whose copy died is always handed on, never failed for it.
        maxStalledCount: Number.MAX_SAFE_INTEGER,
      },
    );
    worker.on('error', this.options.onFailure);
    worker.on('failed', (_job, error) => this.options.onFailure(error));
    this.worker = worker;
  }

  async close(graceMs: number): Promise<void> {
    const worker = this.worker;
    if (worker) {
      // Stop taking chunks and let those in flight finish; past the grace, leave them to another copy.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        worker.close(),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => resolve(worker.close(true)), graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.queue.close();
  }
}
