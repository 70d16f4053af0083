import type { ClientEvent, StateEvent, StrippedStateEvent } from '@gateway/sync-data';

/** The MSC4186 answer, as sent on the wire. */
export interface SyncResponse {
  pos: string;
  txn_id?: string;
  lists: Record<string, { count: number; ops?: ListOp[] }>;
  rooms: Record<string, RoomResponse>;
  extensions: Record<string, unknown>;
}

export interface ListOp {
  op: 'SYNC';
  range: [number, number];
  room_ids: string[];
}

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
  notification_count: number;
  highlight_count: number;
  bump_stamp?: number;
  /** MSC3575's name for the recency stamp (legacy endpoint only). */
  timestamp?: number;
}
