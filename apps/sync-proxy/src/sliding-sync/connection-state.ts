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

interface StoredState {
  v: 1;
  rooms: [string, RoomSent][];
  subs: [string, RoomParams][];
  streams: StreamPositions | null;
  extra?: unknown;
  proto?: SyncProtocol;
}

export function emptyState(): ConnectionState {
  return { rooms: new Map(), subscriptions: new Map(), streams: null, extra: undefined };
}

export function serialiseState(state: ConnectionState): StoredState {
  return {
    v: 1,
    rooms: [...state.rooms],
    subs: [...state.subscriptions],
    streams: state.streams,
    extra: state.extra,
    ...(state.protocol === undefined ? {} : { proto: state.protocol }),
  };
}

export function deserialiseState(value: unknown): ConnectionState {
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1) return emptyState();
  const stored = value as StoredState;
  return {
    rooms: new Map(stored.rooms),
    subscriptions: new Map(stored.subs),
    streams: stored.streams,
    extra: stored.extra,
    ...(stored.proto === undefined ? {} : { protocol: stored.proto }),
  };
}
