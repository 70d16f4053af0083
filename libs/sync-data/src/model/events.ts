/**
 * Event shapes as the proxy stores and serves them: the client-server "ClientEvent" format that
 * `/sync` v2 returns (without `room_id`). Content is whatever the homeserver sent; the proxy never
 * trusts it beyond the fields it reads.
 */
export interface ClientEvent {
  type: string;
  event_id: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
  unsigned?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface StateEvent extends ClientEvent {
  state_key: string;
}

/** Stripped state of an invite or knock (`invite_state.events`). */
export interface StrippedStateEvent {
  type: string;
  state_key: string;
  sender: string;
  content: Record<string, unknown>;
  [extra: string]: unknown;
}

/** A global or room account-data event. */
export interface AccountDataEvent {
  type: string;
  content: Record<string, unknown>;
}

export type Membership = 'join' | 'invite' | 'leave' | 'ban' | 'knock';

/** One user's read receipt, flattened from the `m.receipt` EDU. */
export interface ReceiptRow {
  eventId: string;
  userId: string;
  /** `m.read` or `m.read.private`. */
  receiptType: string;
  /** `null` for an unthreaded receipt; `"main"` or a thread root id otherwise. */
  threadId: string | null;
  ts: number;
}

/** A room member as the list needs it for names and heroes. */
export interface Hero {
  userId: string;
  displayName?: string;
  avatarUrl?: string;
}
