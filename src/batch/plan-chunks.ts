import type { FoldedItem } from './fold.js';

export interface PlannedChunk {
  readonly items: readonly FoldedItem[];
  /** Earlier chunks that share a match key with this one: it must not run beside them, nor before them. */
  readonly after: readonly number[];
}

/**
 * Cuts the folded items into chunks of at most `chunkSize` in input order, and
 * notes which earlier chunks each must wait for so that no two calls in flight
 * carry the same key (an e-mail in one, the same person's LinkedIn URL in another).
 */
export function planChunks(items: readonly FoldedItem[], chunkSize: number): PlannedChunk[] {
  const chunks: PlannedChunk[] = [];
  const lastChunkOfKey = new Map<string, number>();
  for (let start = 0; start < items.length; start += chunkSize) {
    const chunkIndex = chunks.length;
    const chunkItems = items.slice(start, start + chunkSize);
    const after = new Set<number>();
    for (const item of chunkItems) {
      for (const key of item.keys) {
        const earlier = lastChunkOfKey.get(key);
        if (earlier !== undefined && earlier !== chunkIndex) after.add(earlier);
        lastChunkOfKey.set(key, chunkIndex);
      }
    }
    chunks.push({ items: chunkItems, after: [...after].sort((a, b) => a - b) });
  }
  return chunks;
}
