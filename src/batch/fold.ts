import { isObject } from '../json.js';
import type { WireFields } from '../upstream/wire.js';

/** One upstream item standing for one or more input items with the same match key. */
export interface FoldedItem {
  fields: WireFields;
  /** Every key the item can be matched by, primary first. */
  keys: string[];
  /** Positions in the input list, the first one being where it is sent from. */
  readonly inputIndexes: number[];
}

export interface FoldResult {
  readonly items: FoldedItem[];
  /** Input items folded into an earlier one. */
  readonly deduplicated: number;
}

/**
 * Folds items whose primary match key is the same into the first of them, later
 * fields winning (custom fields merge name by name), as if sent one after another.
 */
export function foldDuplicates(inputs: readonly WireFields[], keysOf: (fields: WireFields) => string[]): FoldResult {
  const items: FoldedItem[] = [];
  const byPrimaryKey = new Map<string, FoldedItem>();
  let deduplicated = 0;
  inputs.forEach((fields, index) => {
    const keys = keysOf(fields);
    const primaryKey = keys[0];
    const earlier = primaryKey === undefined ? undefined : byPrimaryKey.get(primaryKey);
    if (earlier) {
      earlier.fields = mergeLaterFields(earlier.fields, fields);
      earlier.keys = keysOf(earlier.fields);
      earlier.inputIndexes.push(index);
      deduplicated++;
      return;
    }
    const item: FoldedItem = { fields, keys, inputIndexes: [index] };
    items.push(item);
    if (primaryKey !== undefined) byPrimaryKey.set(primaryKey, item);
  });
  return { items, deduplicated };
}

/** Fields sent one after another, the later winning; custom fields merge name by name. */
export function mergeLaterFields(earlier: WireFields, later: WireFields): WireFields {
  const merged: WireFields = { ...earlier, ...later };
  const earlierCustom = earlier.custom_fields;
  const laterCustom = later.custom_fields;
  if (isObject(earlierCustom) && isObject(laterCustom)) merged.custom_fields = { ...earlierCustom, ...laterCustom };
  return merged;
}
