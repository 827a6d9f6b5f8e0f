import type { ChunkQueue, ChunkRunOutcome } from './import-model.js';

/** How soon a chunk that must wait (or whose run failed) is tried again. */
const RETRY_DELAY_MS = 200;

type ChunkRun = (importId: string, chunk: number) => Promise<ChunkRunOutcome>;

/**
 * The embedded default's queue: chunks in this process, in order, at most
 * `concurrency` at once. Not durable, by design: without REDIS_URL imports
 * live and die with the process (BullMQ takes over with Redis).
 */
export class InProcessChunkQueue implements ChunkQueue {
  private readonly waiting: Array<readonly [string, number]> = [];
  private head = 0;
  private inFlight = 0;
  private run: ChunkRun | undefined;
  private closed = false;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  async enqueue(importId: string, chunks: number): Promise<void> {
    for (let chunk = 0; chunk < chunks; chunk++) this.waiting.push([importId, chunk]);
    this.pump();
  }

  work(run: ChunkRun): void {
    this.run = run;
    this.pump();
  }

  private pump(): void {
    const run = this.run;
    while (run && !this.closed && this.inFlight < this.concurrency && this.head < this.waiting.length) {
      const next = this.waiting[this.head++] as readonly [string, number];
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.inFlight++;
      run(next[0], next[1])
        .catch((error: unknown) => {
          this.onFailure(error);
          return 'later' as const;
        })
        .then((outcome) => {
          if (outcome !== 'done') {
            const delay = outcome === 'later' ? RETRY_DELAY_MS : outcome.rateLimitedForMs;
            setTimeout(() => {
              this.waiting.push(next);
              this.pump();
            }, delay).unref();
          }
          this.inFlight--;
          if (this.inFlight === 0) this.onIdle?.();
          this.pump();
        });
    }
  }

  async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
