/** How an import's errors are ordered and its pace is read, the same in every store. */

/** Errors that name no row sort after every row (a row index is far below this). */
const UNPLACED_ERRORS_FROM = 2 ** 48;

/** The sort position of an error: its row index, or after all rows when it names none (then by chunk). */
export function errorOrder(index: number, chunk: number, position: number): number {
  return index >= 0 ? index : UNPLACED_ERRORS_FROM + chunk * 1_000 + position;
}

/** Rows per second over the recent chunk completions (newest first); undefined with fewer than two. */
export function rowsPerSecond(pace: ReadonlyArray<{ readonly at: number; readonly rows: number }>): number | undefined {
  const newest = pace[0];
  const oldest = pace.at(-1);
  if (!newest || !oldest || pace.length < 2 || newest.at <= oldest.at) return undefined;
  const rows = pace.slice(0, -1).reduce((sum, entry) => sum + entry.rows, 0);
  return (rows * 1000) / (newest.at - oldest.at);
}
