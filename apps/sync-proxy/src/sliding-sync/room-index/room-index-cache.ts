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

interface Entry {
  index: CachedRoomIndex;
  expiresAt: number;
}

const RECENT_MESSAGES = 1024;

/**
 * The users' room lists, kept between requests: reading a 1,000-room list is most of a request's cost,
 * and it changes far less often than it is read. An entry is dropped by any wake message that touches
 * its user or one of its rooms (observers hear messages before waiters wake), by a detected gap in the
 * messages (all entries), and after a few minutes regardless. An index read from a snapshot older than
 * a message already heard for that user is not stored, so a late offer cannot resurrect stale data.
 */
export class RoomIndexCache implements StreamObserver {
  // Map iteration order is insertion order: re-inserting on read keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();
  private readonly recent: WakeMessage[] = [];
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

  get(userId: string): CachedRoomIndex | undefined {
    const entry = this.entries.get(userId);
    if (entry === undefined) return undefined;
    this.remove(userId);
    if (entry.expiresAt <= this.clock()) return undefined;
    this.put(userId, entry);
    return entry.index;
  }

  /** Stores an index read from a snapshot at stream position `seq`, unless it is already outdated. */
  offer(userId: string, index: CachedRoomIndex, seq: number, mark: number): void {
    if (mark !== this.epoch) return;
    const oldest = this.recent[0];
    // The record of messages no longer reaches back to `seq`: relevance cannot be told.
    if (this.recent.length >= RECENT_MESSAGES && oldest !== undefined && oldest.seq > seq + 1) return;
    for (const m of this.recent) {
      if (m.seq > seq && touches(m, userId, index.roomIds)) return;
    }
    if (index.rows.length > this.maxRooms) return;
    this.remove(userId);
    this.put(userId, { index, expiresAt: this.clock() + this.ttlMs });
    while (this.rowCount > this.maxRooms) {
      const first = this.entries.keys().next();
      if (first.done === true) break;
      this.remove(first.value);
    }
  }

  message(m: WakeMessage): void {
    if (m.invalidTokens !== undefined) return;
    this.recent.push(m);
    if (this.recent.length > RECENT_MESSAGES) this.recent.shift();
    for (const [userId, entry] of this.entries) {
      if (touches(m, userId, entry.index.roomIds)) this.remove(userId);
    }
  }

  gap(): void {
    this.epoch++;
    this.entries.clear();
    this.rowCount = 0;
    this.recent.length = 0;
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

function touches(m: WakeMessage, userId: string, roomIds: ReadonlySet<string>): boolean {
  return m.users.includes(userId) || m.rooms.some((r) => roomIds.has(r));
}
