import type { SyncList } from '../protocol/sync-request';

/** The only list operation MSC4186 servers still send: the room ids inside one requested range. */
export interface SyncOp {
  op: 'SYNC';
  /** The range as the client asked for it, not clamped (what Synapse echoes). */
  range: [number, number];
  room_ids: string[];
}

export interface RangeSelection {
  ops: SyncOp[];
  /** Every room id inside any range: the rooms whose data the response may carry. */
  selected: Set<string>;
}

/**
 * One SYNC op per requested range, in request order, as Synapse answers every range every time. Ranges
 * are inclusive and clamped to the list, so `[0,19]` over 3 rooms yields those 3; an end below its start,
 * or a start past the end of the list, yields no rooms. Without ranges a list reports only its count.
 */
export function applyRanges(sortedIds: readonly string[], ranges: SyncList['ranges']): RangeSelection {
  const ops: SyncOp[] = [];
  const selected = new Set<string>();
  for (const [start, end] of ranges ?? []) {
    // The parser rejects negative starts; clamping keeps a bad caller from slicing from the end.
    const roomIds = end < start ? [] : sortedIds.slice(Math.max(0, start), end + 1);
    for (const id of roomIds) selected.add(id);
    ops.push({ op: 'SYNC', range: [start, end], room_ids: roomIds });
  }
  return { ops, selected };
}
