import type { AccountDataEvent, UserRoomRow } from '@gateway/sync-data';
import type { StreamObserver } from '../../wake/waiter-index';
import type { WakeMessage } from '../../wake/wake-bus';

/** A user's room list as one query read it, with what lists need beside it. */
export interface CachedRoomIndex {
  rows: readonly UserRoomRow[];
  accountData: readonly (AccountDataEvent & { roomId: string })[];
  /** The user's room ids; shared by every long-poll of the user (one set, not one per request). */
  roomIds: ReadonlySet<string>;
}

/** A cached list as `get` hands it out: its rows of `stale` rooms must be read again before use. */
export interface CachedView {
  index: CachedRoomIndex;
  /** Rooms a message changed since the list was read (rows to re-read, add, or drop). */
  stale: ReadonlySet<string>;
  /** Pass back to `refreshed`. */
  readonly heard: number;
  readonly expiresAt: number;
}

interface Entry {
  index: CachedRoomIndex;
  stale: Set<string>;
  expiresAt: number;
}

interface Heard {
  m: WakeMessage;
  /** Arrival order (messages of several replicas arrive out of `seq` order). */
  n: number;
}

const RECENT_MESSAGES = 1024;

/**
 * The users' room lists, kept between requests: reading a 1,000-room list is most of a request's cost,
 * and it changes far less often than it is read. A wake message marks the rooms it touched in a list
 * as stale, and the next request re-reads only those rows in its snapshot (`refreshed`): an incoming
 * message changes its room and the user's unread counts there, not the other 999 rooms. A message that
 * says the user changed in ways not confined to rooms (account data, or a replica that does not say)
 * drops the user's list; a detected gap in the messages drops all lists; every list is read whole
 * again after a few minutes regardless. A list read (or refreshed) from a snapshot older than a message
 * already heard is stored with that message's rooms stale, so a late offer cannot keep outdated rows.
 */
export class RoomIndexCache implements StreamObserver {
  // Map iteration order is insertion order: re-inserting on read keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();
  private readonly recent: Heard[] = [];
  private heardCount = 0;
  private epoch = 0;
  private rowCount = 0;

  /**
   * Bounded by rooms held, not users: a list is ~0.5 KiB per room, so the default 200,000 rooms keep
   * the cache near 100 MiB however the rooms are spread over users.
   */
  constructor(
    private readonly maxRooms = 200_000,
    private readonly ttlMs = 5 * 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A marker to pass back to `offer`: a gap between the two makes the offer void. */
  mark(): number {
    return this.epoch;
  }

  get(userId: string): CachedView | undefined {
    const entry = this.entries.get(userId);
    if (entry === undefined) return undefined;
    this.remove(userId);
    if (entry.expiresAt <= this.clock()) return undefined;
    this.put(userId, entry);
    return {
      index: entry.index,
      stale: new Set(entry.stale),
      heard: this.heardCount,
      expiresAt: entry.expiresAt,
    };
  }

  /** Stores an index read whole from a snapshot at stream position `seq`. */
  offer(userId: string, index: CachedRoomIndex, seq: number, mark: number): void {
    this.store(userId, index, seq, mark, undefined, this.clock() + this.ttlMs);
  }

  /**
   * Stores `index`: `view`'s list with its stale rooms re-read from a snapshot at `seq` (a mark taken
   * before `get`). Rows not re-read are current as of the messages heard before `get`, so every message
   * heard since then, whatever its position, marks its rooms stale again; the list keeps its expiry.
   */
  refreshed(userId: string, view: CachedView, index: CachedRoomIndex, seq: number, mark: number): void {
    this.store(userId, index, seq, mark, view.heard, view.expiresAt);
  }

  message(m: WakeMessage): void {
    if (m.invalidTokens !== undefined) return;
    this.heardCount++;
    this.recent.push({ m, n: this.heardCount });
    if (this.recent.length > RECENT_MESSAGES) this.recent.shift();
    for (const [userId, entry] of this.entries) {
      const touched = touchedRooms(m, userId, entry.index.roomIds);
      if (touched === 'all') this.remove(userId);
      else for (const roomId of touched) entry.stale.add(roomId);
    }
  }

  gap(): void {
    this.epoch++;
    this.entries.clear();
    this.rowCount = 0;
    this.recent.length = 0;
  }

  private store(
    userId: string,
    index: CachedRoomIndex,
    seq: number,
    mark: number,
    heardBefore: number | undefined,
    expiresAt: number,
  ): void {
    if (mark !== this.epoch) return;
    const outdates = (h: Heard): boolean => h.m.seq > seq || (heardBefore !== undefined && h.n > heardBefore);
    const oldest = this.recent[0];
    // The record of messages no longer reaches back far enough: what the list missed cannot be told.
    if (this.recent.length >= RECENT_MESSAGES && oldest !== undefined && outdates(oldest)) return;
    const stale = new Set<string>();
    for (const h of this.recent) {
      if (!outdates(h)) continue;
      const touched = touchedRooms(h.m, userId, index.roomIds);
      if (touched === 'all') return;
      for (const roomId of touched) stale.add(roomId);
    }
    if (index.rows.length > this.maxRooms) return;
    this.remove(userId);
    this.put(userId, { index, stale, expiresAt });
    while (this.rowCount > this.maxRooms) {
      const first = this.entries.keys().next();
      if (first.done === true) break;
      this.remove(first.value);
    }
  }

  private put(userId: string, entry: Entry): void {
    this.entries.set(userId, entry);
    this.rowCount += entry.index.rows.length;
  }

  private remove(userId: string): void {
    const entry = this.entries.get(userId);
    if (entry === undefined) return;
    this.entries.delete(userId);
    this.rowCount -= entry.index.rows.length;
  }
}

/** The rooms of a user's list a message changed, or 'all' when it does not say which. */
function touchedRooms(m: WakeMessage, userId: string, roomIds: ReadonlySet<string>): string[] | 'all' {
  const rooms = m.rooms.filter((r) => roomIds.has(r));
  if (!m.users.includes(userId)) return rooms;
  if (m.userRooms === undefined) return 'all';
  return [...rooms, ...m.userRooms];
}

/**
 * `index` with the rows of `stale` rooms replaced by `fresh` (read for exactly those rooms): a stale
 * room without a fresh row is gone from the list, a fresh row of a room not in it is new. The room-id
 * set is kept when no room came or went, so long-polls waiting on it keep sharing one set.
 */
export function withFreshRows(
  index: CachedRoomIndex,
  stale: ReadonlySet<string>,
  fresh: readonly UserRoomRow[],
): CachedRoomIndex {
  const byId = new Map(fresh.map((r) => [r.roomId, r]));
  const rows: UserRoomRow[] = [];
  let gone = false;
  for (const row of index.rows) {
    if (!stale.has(row.roomId)) {
      rows.push(row);
      continue;
    }
    const replaced = byId.get(row.roomId);
    byId.delete(row.roomId);
    if (replaced === undefined) gone = true;
    else rows.push(replaced);
  }
  rows.push(...byId.values());
  const roomIds = gone || byId.size > 0 ? new Set(rows.map((r) => r.roomId)) : index.roomIds;
  return { rows, accountData: index.accountData, roomIds };
}
