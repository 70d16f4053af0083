import type { AccountDataEvent, ClientEvent, ReceiptRow, StateEvent, StrippedStateEvent } from './events';

/**
 * One upstream `/sync` v2 response, validated and reshaped for storage. `accumulate()` builds it from
 * untrusted JSON (parts that are malformed are dropped, not thrown); the sync-data store writes it in
 * one transaction.
 */
export interface V2Batch {
  nextBatch: string;
  rooms: RoomDelta[];
  /** To-device events in the order the homeserver sent them. */
  toDevice: Record<string, unknown>[];
  accountData: AccountDataEvent[];
  deviceLists: { changed: string[]; left: string[] };
  /** `device_one_time_keys_count`; undefined when the response did not carry it. */
  otkCounts: Record<string, number> | undefined;
  /** `device_unused_fallback_key_types`; undefined when absent. */
  fallbackKeyTypes: string[] | undefined;
}

export interface RoomDelta {
  roomId: string;
  /** Which v2 section the room came in (`leave` covers bans and kicks; the member event says which). */
  section: 'join' | 'invite' | 'leave' | 'knock';
  /** The v2 `state` block: state *before* the timeline, applied first. */
  state: StateEvent[];
  timeline: {
    /** Oldest first, `unsigned.transaction_id` removed (it belongs to one device, see txnIds). */
    events: ClientEvent[];
    limited: boolean;
    prevBatch: string | undefined;
  };
  /** `summary`: present fields only. */
  summary: { heroes?: string[]; joinedCount?: number; invitedCount?: number };
  /** `unread_notifications`: present fields only. */
  unread: { notificationCount?: number; highlightCount?: number };
  accountData: AccountDataEvent[];
  /** `m.typing` user ids, when the response carried a typing EDU for the room. */
  typing: string[] | undefined;
  receipts: ReceiptRow[];
  /** `invite_state.events` / `knock_state.events` for invites and knocks. */
  strippedState: StrippedStateEvent[] | undefined;
  /** transaction ids the homeserver echoed to this device for its own events. */
  txnIds: { eventId: string; txnId: string }[];
}
