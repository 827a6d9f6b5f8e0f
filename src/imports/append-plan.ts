import { UPSTREAM_BATCH_LIMIT } from '../upstream/graph8-api.js';
import type { IncomingRow } from './import-model.js';

/**
 * Folding as rows arrive, against what the import already holds: the same
 * rule as a batch's foldDuplicates (a row whose primary match key an earlier
 * row has is folded into it, later fields winning when it is sent), applied
 * one slice at a time so that no step needs all of an import's rows. Items are
 * numbered as they appear; chunk n is items 100n to 100n+99, so a row's chunk
 * is known when it arrives.
 */

/** Items per upstream batch call. */
export const CHUNK_SIZE = UPSTREAM_BATCH_LIMIT;

export const chunkOfItem = (item: number): number => Math.floor(item / CHUNK_SIZE);

/** What the store knows of the keys a slice carries; planAppend adds to both maps as it goes. */
export interface KeyOwners {
  /** A primary match key -> the item it is the primary key of. */
  readonly primary: Map<string, number>;
  /** Any other match key -> the last item that carries it. */
  readonly secondary: Map<string, number>;
}

export interface PlannedRow {
  readonly index: number;
  readonly item: number;
  readonly input: Readonly<Record<string, unknown>>;
  /** The first row of a new item (not folded into an earlier one). */
  readonly opensItem: boolean;
}

export interface AppendPlan {
  readonly rows: readonly PlannedRow[];
  /** Key-owner entries to store, primary and secondary. */
  readonly primaryKeys: ReadonlyArray<readonly [string, number]>;
  readonly secondaryKeys: ReadonlyArray<readonly [string, number]>;
  /** Item pairs (earlier first) in different chunks that share a key: their chunks must not run at once. */
  readonly edges: ReadonlyArray<readonly [number, number]>;
  readonly deduplicated: number;
  /** Items in the import after the slice. */
  readonly items: number;
  /** Rows the slice adds to each chunk. */
  readonly rowsPerChunk: ReadonlyMap<number, number>;
}

export function planAppend(
  slice: readonly IncomingRow[],
  firstRow: number,
  firstItem: number,
  owners: KeyOwners,
): AppendPlan {
  const rows: PlannedRow[] = [];
  const primaryKeys: Array<readonly [string, number]> = [];
  const secondaryKeys: Array<readonly [string, number]> = [];
  const edges: Array<readonly [number, number]> = [];
  const rowsPerChunk = new Map<number, number>();
  let nextItem = firstItem;
  let deduplicated = 0;
  slice.forEach((row, position) => {
    const primary = row.keys[0];
    const earlier = primary === undefined ? undefined : owners.primary.get(primary);
    const item = earlier ?? nextItem++;
    if (earlier !== undefined) deduplicated++;
    else if (primary !== undefined) {
      owners.primary.set(primary, item);
      primaryKeys.push([primary, item]);
    }
    for (const key of row.keys) {
      for (const other of [owners.primary.get(key), owners.secondary.get(key)]) {
        if (other !== undefined && chunkOfItem(other) !== chunkOfItem(item)) {
          edges.push(other < item ? [other, item] : [item, other]);
        }
      }
      if (key !== primary) {
        owners.secondary.set(key, item);
        secondaryKeys.push([key, item]);
      }
    }
    rows.push({ index: firstRow + position, item, input: row.input, opensItem: earlier === undefined });
    const chunk = chunkOfItem(item);
    rowsPerChunk.set(chunk, (rowsPerChunk.get(chunk) ?? 0) + 1);
  });
  return { rows, primaryKeys, secondaryKeys, edges, deduplicated, items: nextItem, rowsPerChunk };
}

/** The chunks each chunk must wait for, from the edges gathered while rows arrived. */
export function chunkDependencies(edges: Iterable<readonly [number, number]>): Map<number, number[]> {
  const after = new Map<number, Set<number>>();
  for (const [earlier, later] of edges) {
    const chunk = chunkOfItem(later);
    const before = chunkOfItem(earlier);
    if (chunk === before) continue;
    const set = after.get(chunk) ?? new Set<number>();
    set.add(before);
    after.set(chunk, set);
  }
  return new Map([...after].map(([chunk, set]) => [chunk, [...set].sort((a, b) => a - b)]));
}

export const chunkCount = (items: number): number => Math.ceil(items / CHUNK_SIZE);
