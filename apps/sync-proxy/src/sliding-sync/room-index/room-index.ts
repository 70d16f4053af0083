import type { Hero, Membership } from '@gateway/sync-data';

/**
 * One room of a user's room list, as filters, sorting and names need it. Built per request from one
 * query (the user's memberships joined with room metadata), never from full state.
 */
export interface RoomIndexEntry {
  roomId: string;
  membership: Membership;
  /** `m.room.create` `content.type`; null for an ordinary room. */
  roomType: string | null;
  isEncrypted: boolean;
  /** `m.room.name` `content.name`, when set and non-empty. */
  name: string | null;
  canonicalAlias: string | null;
  /** `m.room.avatar` `content.url`, when set. */
  avatarUrl: string | null;
  /** Heroes from the homeserver's room summary, other than the user, with profiles when known. */
  heroes: readonly Hero[];
  joinedCount: number;
  invitedCount: number;
  /** Tag names from the user's `m.tag` room account data. */
  tags: readonly string[];
  /** Whether any value of the user's `m.direct` lists this room. */
  isDm: boolean;
  /** Recency: origin_server_ts (ms) of the latest event that bumps a room; 0 when unknown. */
  bumpStamp: number;
  /** Tie-breaker after bumpStamp: the proxy's stream position of that event. */
  bumpSeq: number;
  /** The user's unread counts (the legacy API's notification sorts). */
  notificationCount: number;
  highlightCount: number;
}

/** What filters need beyond one room: the space hierarchy the user can see. */
export interface FilterContext {
  /** Room ids that `m.space.child` events (with a non-empty `via`) of this space point at. */
  childrenOf(spaceId: string): ReadonlySet<string>;
  /** The user's own id (for computed names). */
  userId: string;
}
