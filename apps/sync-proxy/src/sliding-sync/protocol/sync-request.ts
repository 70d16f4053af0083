/**
 * A parsed MSC4186 request. The parser (parse-sync-body.ts) builds this from untrusted JSON; nothing
 * downstream re-validates. Maps are `Map`s so no client key can reach an object prototype.
 */

/** `[event_type, state_key]`; `*`, `$ME` and `$LAZY` keep their MSC4186 meaning. */
export type RequiredStateEntry = readonly [type: string, stateKey: string];

export interface ListFilters {
  isDm?: boolean;
  isEncrypted?: boolean;
  isInvite?: boolean;
  /** `null` stands for rooms without a type. */
  roomTypes?: readonly (string | null)[];
  notRoomTypes?: readonly (string | null)[];
  tags?: readonly string[];
  notTags?: readonly string[];
  /** Room ids of spaces; a room passes when it is a child of any of them. */
  spaces?: readonly string[];
  roomNameLike?: string;
}

/** What a list or a room subscription asks for each room it covers. */
export interface RoomParams {
  timelineLimit: number;
  requiredState: readonly RequiredStateEntry[];
  /**
   * State to leave out of what `requiredState` matches (the stable API's `exclude`; lazy members are
   * not filtered by it). Absent or empty: nothing is excluded.
   */
  excludeState?: readonly RequiredStateEntry[];
}

/** The orders MSC3575 (the legacy API) lets a list ask for, applied in turn until two rooms differ. */
export const LIST_SORTS = [
  'by_recency',
  'by_name',
  'by_notification_level',
  'by_notification_count',
  'by_highlight_count',
] as const;
export type ListSort = (typeof LIST_SORTS)[number];

export interface SyncList extends RoomParams {
  /** Inclusive `[start, end]` pairs; undefined = count only. An end below its start selects nothing. */
  ranges: readonly (readonly [number, number])[] | undefined;
  filters: ListFilters;
  /** MSC3575's `sort` (the legacy API only; MSC4186 sorts by recency). */
  sort?: readonly ListSort[];
}

/** `lists` / `rooms` scoping of an extension; undefined = every list / room (`["*"]`). */
export interface ExtensionScope {
  enabled: boolean | undefined;
  lists: readonly string[] | undefined;
  rooms: readonly string[] | undefined;
}

export interface ToDeviceRequest {
  enabled: boolean | undefined;
  /** The client's acknowledgement: every message up to and including this position may be deleted. */
  since: number | undefined;
  limit: number | undefined;
}

/** MSC4308's thread subscriptions extension (`io.element.msc4308.thread_subscriptions` on the wire). */
export interface ThreadSubscriptionsRequest {
  enabled: boolean | undefined;
  /** The most changes one answer carries (Synapse's default 100; 0 answers none). */
  limit: number;
}

export interface SyncExtensionsRequest {
  toDevice?: ToDeviceRequest;
  e2ee?: { enabled: boolean | undefined };
  accountData?: ExtensionScope;
  receipts?: ExtensionScope;
  typing?: ExtensionScope;
  threadSubscriptions?: ThreadSubscriptionsRequest;
}

export interface SyncRequest {
  /** `""` when absent: Synapse treats a missing and an empty conn_id alike. */
  connId: string;
  txnId: string | undefined;
  lists: ReadonlyMap<string, SyncList>;
  roomSubscriptions: ReadonlyMap<string, RoomParams>;
  unsubscribeRooms: readonly string[];
  extensions: SyncExtensionsRequest;
}

/** The query string: `pos` (absent = new connection) and the long-poll `timeout` in ms (default 0). */
export interface SyncQuery {
  pos: SyncPos | undefined;
  timeoutMs: number;
}

/** `pos` on the wire is the decimal connection position, e.g. `"42"`. */
export interface SyncPos {
  position: number;
}
