import { applyRanges } from './ranges';
import type { FilterContext, RoomIndexEntry } from '../room-index/room-index';
import { matchesFilters } from './filters';
import { sortRooms } from './sort';
import type { RequiredStateEntry, RoomParams, SyncList } from '../protocol/sync-request';
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
/**
 * The superset of two room configs (MSC4186 "Combining room configs"). Exclusions survive only where
 * both configs exclude the same entry (a config with nothing to include excludes nothing that matters):
 * dropping an exclusion only ever returns more state, never less than either config asked for.
 */
export function mergeParams(a: RoomParams, b: RoomParams): RoomParams {
  const merged: RoomParams = {
    timelineLimit: Math.max(a.timelineLimit, b.timelineLimit),
    requiredState: [...a.requiredState, ...b.requiredState],
  };
  const excludeA = effectiveExclude(a);
  const excludeB = effectiveExclude(b);
  let exclude: readonly RequiredStateEntry[];
  if (excludeA === undefined) exclude = excludeB ?? [];
  else if (excludeB === undefined) exclude = excludeA;
  else {
    const inB = new Set(excludeB.map((e) => JSON.stringify(e)));
    exclude = excludeA.filter((e) => inB.has(JSON.stringify(e)));
  }
  if (exclude.length > 0) merged.excludeState = exclude;
  return merged;
}

/** undefined: the config includes no ordinary state, so its exclusions constrain nothing. */
function effectiveExclude(p: RoomParams): readonly RequiredStateEntry[] | undefined {
  const includesState = p.requiredState.some(([type, key]) => !(type === 'm.room.member' && key === '$LAZY'));
  return includesState ? (p.excludeState ?? []) : undefined;
}

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
    params.set(roomId, existing === undefined ? p : mergeParams(existing, p));
  };
  const out: ListsResult['lists'] = [];
  const roomsByList = new Map<string, Set<string>>();
  for (const [name, list] of lists) {
    const filtered = entries.filter((e) => matchesFilters(e, list.filters, ctx));
    const sorted = sortRooms(filtered, list.sort).map((e) => e.roomId);
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
