/** The upstream's snake_case shapes, as sent and as received. */

/** The upstream fields of one record, as sent. */
export type WireFields = Record<string, unknown>;

/** An item of a batch answer's `errors`, as it came: the failed item's position in the call, and more. */
export interface WireBatchErrorItem {
  readonly index?: unknown;
  readonly message?: unknown;
  readonly [other: string]: unknown;
}
