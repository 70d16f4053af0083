import { applyRanges } from './ranges';
import type { FilterContext, RoomIndexEntry } from '../room-index/room-index';
import { matchesFilters } from './filters';
import { sortByRecency } from './sort';
import type { RoomParams, SyncList } from '../protocol/sync-request';
import type { ListOp } from '../protocol/sync-response';

export interface ListsResult {
  lists: [string, { count: number; ops?: ListOp[] }][];
  /** Room → what the lists and subscriptions covering it ask for, merged. */
  params: Map<string, RoomParams>;
  /** List name → rooms inside its ranges (extension scoping by `lists`). */
  roomsByList: Map<string, Set<string>>;
}

/**
 * Filters, sorts and windows every list, and merges per-room parameters where lists and
 * subscriptions overlap: the larger timeline limit and the union of required_state, as Synapse does.
 */
export function selectRooms(
  entries: readonly RoomIndexEntry[],
  lists: ReadonlyMap<string, SyncList>,
  subscriptions: ReadonlyMap<string, RoomParams>,
  subscribable: ReadonlySet<string>,
  ctx: FilterContext,
): ListsResult {
  const params = new Map<string, RoomParams>();
  const add = (roomId: string, p: RoomParams): void => {
    const existing = params.get(roomId);
    params.set(
      roomId,
      existing === undefined
        ? p
        : {
            timelineLimit: Math.max(existing.timelineLimit, p.timelineLimit),
            requiredState: [...existing.requiredState, ...p.requiredState],
          },
    );
  };
  const out: ListsResult['lists'] = [];
  const roomsByList = new Map<string, Set<string>>();
  for (const [name, list] of lists) {
    const filtered = entries.filter((e) => matchesFilters(e, list.filters, ctx));
    const sorted = sortByRecency(filtered).map((e) => e.roomId);
    const { ops, selected } = applyRanges(sorted, list.ranges);
    for (const roomId of selected) add(roomId, list);
    roomsByList.set(name, selected);
    out.push([name, list.ranges === undefined ? { count: sorted.length } : { count: sorted.length, ops }]);
  }
  for (const [roomId, sub] of subscriptions) {
    // A subscription needs a past or present membership: the proxy serves nothing it was not given.
    if (subscribable.has(roomId)) add(roomId, sub);
  }
  return { lists: out, params, roomsByList };
}
