import type { StreamPositions } from './extensions/build-extensions';
import type { RoomParams } from './protocol/sync-request';
import type { RoomSent } from './rooms/room-sent';
import type { SyncProtocol } from './translation';

/**
 * A connection's memory between answers, stored as JSON in `sync_connections`. Maps in memory, entry
 * arrays on disk: client-chosen room ids never become object keys.
 */
export interface ConnectionState {
  rooms: Map<string, RoomSent>;
  /** Sticky room subscriptions (matrix-js-sdk sends each only once and removes with unsubscribe_rooms). */
  subscriptions: Map<string, RoomParams>;
  streams: StreamPositions | null;
  /** What a client family keeps between requests beyond this (legacy MSC3575: sticky params, windows). */
  extra: unknown;
  /** The API that opened the connection; absent in states stored before protocols were recorded. */
  protocol?: SyncProtocol;
}

/** The first format: each room's `RoomSent` as an object. Still read, so stored connections survive. */
interface StoredStateV1 {
  v: 1;
  rooms: [string, RoomSent][];
  subs: [string, RoomParams][];
  streams: StreamPositions | null;
  extra?: unknown;
  proto?: SyncProtocol;
}

/**
 * One room as stored: `[roomId, seq, rs, tl, name, avatar, bump, joined, invited, lazy]`, where `rs`
 * indexes `StoredState.rs`. In the first format each room carried its `required_state` key (~450
 * bytes for Element X's room list) and field names: at 10,000 rooms a connection's state was ~5 MB of
 * JSON, read, parsed, written and stored twice (committed and pending) on every request of a growing
 * list (bench/sync's full list at 10,000 rooms).
 */
type StoredRoom = [
  roomId: string,
  seq: number,
  rs: number,
  tl: number,
  name: string | null,
  avatar: string | null,
  bump: number,
  joined: number,
  invited: number,
  lazy: string[],
];

interface StoredState {
  v: 2;
  /** The distinct `required_state` keys the rooms were sent with (a list's rooms share one). */
  rs: string[];
  rooms: StoredRoom[];
  subs: [string, RoomParams][];
  streams: StreamPositions | null;
  extra?: unknown;
  proto?: SyncProtocol;
}

export function emptyState(): ConnectionState {
  return { rooms: new Map(), subscriptions: new Map(), streams: null, extra: undefined };
}

export function serialiseState(state: ConnectionState): StoredState {
  const keys = new Map<string, number>();
  const rooms: StoredRoom[] = [];
  for (const [roomId, r] of state.rooms) {
    let rs = keys.get(r.rs);
    if (rs === undefined) keys.set(r.rs, (rs = keys.size));
    rooms.push([roomId, r.seq, rs, r.tl, r.name, r.avatar, r.bump, r.counts[0], r.counts[1], r.lazy]);
  }
  return {
    v: 2,
    rs: [...keys.keys()],
    rooms,
    subs: [...state.subscriptions],
    streams: state.streams,
    extra: state.extra,
    ...(state.protocol === undefined ? {} : { proto: state.protocol }),
  };
}

export function deserialiseState(value: unknown): ConnectionState {
  if (typeof value !== 'object' || value === null) return emptyState();
  const version = (value as { v?: unknown }).v;
  if (version === 1) return fromStored(value as StoredStateV1, new Map((value as StoredStateV1).rooms));
  if (version !== 2) return emptyState();
  const stored = value as StoredState;
  const rooms = new Map<string, RoomSent>();
  for (const [roomId, seq, rs, tl, name, avatar, bump, joined, invited, lazy] of stored.rooms) {
    // An unknown key index cannot match any request's key: the room is sent again, never lost.
    rooms.set(roomId, {
      seq,
      rs: stored.rs[rs] ?? '',
      tl,
      name,
      avatar,
      bump,
      counts: [joined, invited],
      lazy,
    });
  }
  return fromStored(stored, rooms);
}

function fromStored(stored: StoredState | StoredStateV1, rooms: Map<string, RoomSent>): ConnectionState {
  return {
    rooms,
    subscriptions: new Map(stored.subs),
    streams: stored.streams,
    extra: stored.extra,
    ...(stored.proto === undefined ? {} : { protocol: stored.proto }),
  };
}
