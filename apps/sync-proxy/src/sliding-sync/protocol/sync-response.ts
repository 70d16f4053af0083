import type { ClientEvent, StateEvent, StrippedStateEvent } from '@gateway/sync-data';

/** The MSC4186 answer, as sent on the wire. */
export interface SyncResponse {
  pos: string;
  txn_id?: string;
  lists: Record<string, { count: number; ops?: ListOp[] }>;
  rooms: Record<string, RoomResponse>;
  extensions: Record<string, unknown>;
}

export type ListOp = SyncListOp | MoveListOp;

export interface SyncListOp {
  op: 'SYNC';
  range: [number, number];
  room_ids: string[];
}

/**
 * MSC3575's moves, sent only by the legacy API: a DELETE leaves a gap at its index, and the INSERT that
 * follows shifts the rooms between the gap and its index towards the gap and puts its room there.
 */
export type MoveListOp = { op: 'DELETE'; index: number } | { op: 'INSERT'; index: number; room_id: string };

export interface RoomResponse {
  name?: string;
  avatar?: string | null;
  heroes?: { user_id: string; displayname?: string; avatar_url?: string }[];
  initial?: true;
  is_dm?: true;
  invite_state?: StrippedStateEvent[];
  required_state?: StateEvent[];
  timeline?: ClientEvent[];
  prev_batch?: string;
  limited?: boolean;
  num_live?: number;
  joined_count?: number;
  invited_count?: number;
  /** Always set by the engine; the stable API removes them (MSC4186 changelog 15). */
  notification_count?: number;
  highlight_count?: number;
  /** The stable API's names for `invite_state` and `unstable_expanded_timeline`, and the room's lists. */
  stripped_state?: StrippedStateEvent[];
  expanded_timeline?: true;
  lists?: string[];
  bump_stamp?: number;
  /** The timeline holds events from before the room's last send (its timeline_limit grew). */
  unstable_expanded_timeline?: true;
  /** The user's membership; only the stable API sends it (the edge strips it from the others). */
  membership?: string;
  /** MSC3575's name for the recency stamp (legacy endpoint only). */
  timestamp?: number;
}

/** The answer without the stable-only `membership`, for the endpoints that predate it. */
export function withoutMembership(response: SyncResponse): SyncResponse {
  const rooms: Record<string, RoomResponse> = {};
  for (const [roomId, room] of Object.entries(response.rooms)) {
    const { membership: _m, ...rest } = room;
    rooms[roomId] = rest;
  }
  return { ...response, rooms };
}
