import type { RoomParams } from '../request/sync-request';

/** What a connection remembers about one room it has sent. */
export interface RoomSent {
  /** The stream position the room was last brought up to on this connection. */
  seq: number;
  /** The required_state config (canonical key) and timeline limit it was sent with. */
  rs: string;
  tl: number;
  /** Last sent computed name, avatar and bump stamp: sent again only when they change. */
  name: string | null;
  avatar: string | null;
  bump: number;
  /** Last sent joined and invited counts (Synapse sends them on the first send and on change only). */
  counts: [number, number];
  /** Members already sent under `$LAZY` (bounded). */
  lazy: string[];
}

/** Per-connection positions of the extension streams (global seqs). */
export interface StreamPositions {
  accountData: number;
  receipts: number;
  typing: number;
  deviceLists: number;
}

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
}

interface StoredState {
  v: 1;
  rooms: [string, RoomSent][];
  subs: [string, RoomParams][];
  streams: StreamPositions | null;
  extra?: unknown;
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
  };
}

/** Bound on members remembered per room under `$LAZY` (Synapse keeps 100 as well). */
export const MAX_LAZY_MEMBERS = 100;
