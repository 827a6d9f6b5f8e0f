import type { PlannedChunk } from './plan-chunks.js';

/**
 * Runs every chunk with at most `concurrency` in flight, in plan order, a chunk
 * starting only once the chunks it must follow have finished. `runChunk`
 * returns its own failures; a rejection rejects the whole run. Resolves with the
 * outcomes in plan order.
 */
export function runChunks<T>(
  chunks: readonly PlannedChunk[],
  concurrency: number,
  runChunk: (chunk: PlannedChunk, index: number) => Promise<T>,
): Promise<T[]> {
  const outcomes: T[] = new Array(chunks.length);
  const finished = new Array<boolean>(chunks.length).fill(false);
  const waiting: number[] = chunks.map((_, index) => index);
  let inFlight = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    if (chunks.length === 0) resolve(outcomes);
    const startReady = () => {
      for (let position = 0; position < waiting.length && inFlight < concurrency; ) {
        const index = waiting[position] as number;
        const chunk = chunks[index] as PlannedChunk;
        if (!chunk.after.every((earlier) => finished[earlier])) {
          position++;
          continue;
        }
        waiting.splice(position, 1);
        inFlight++;
        void runChunk(chunk, index).then((outcome) => {
          outcomes[index] = outcome;
          finished[index] = true;
          inFlight--;
          done++;
          if (done === chunks.length) resolve(outcomes);
          else startReady();
        }, reject);
      }
    };
    startReady();
  });
}
