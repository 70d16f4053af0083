import type { Clock } from '@gateway/util';

/** A LiveKit participant this service minted a token for, and the Matrix membership it stands for. */
export interface TrackedParticipant {
  /** LiveKit room name and identity, as in the token. */
  room: string;
  identity: string;
  roomId: string;
  userId: string;
  issuedAt: number;
}

/** The right to run the periodic pass; renewed while a long pass runs, never released early. */
export interface PassLease {
  /** Keeps the lease `ttlMs` longer; false if it was lost (expired and taken) meanwhile. */
  renew(ttlMs: number): Promise<boolean>;
}

/**
 * Who the removal watch tracks: in this process, or in Redis so that any replica can answer LiveKit's
 * webhook for a participant another replica minted the token for, and a restarted replica still knows
 * everyone. Every entry expires on its own (`ttlMs`), which is what bounds the set.
 */
export interface TrackedStore {
  /** Starts watching (again, replacing an earlier entry for the same room and identity). */
  put(participant: TrackedParticipant, ttlMs: number): Promise<void>;
  get(room: string, identity: string): Promise<TrackedParticipant | null>;
  /** Keeps an existing entry `ttlMs` from now; nothing if it is gone. */
  keep(room: string, identity: string, ttlMs: number): Promise<void>;
  /**
   * Stops watching; with `issuedAt`, only the entry of that token (a token minted meanwhile for the same
   * room and identity started a new watch, which stays).
   */
  delete(room: string, identity: string, issuedAt?: number): Promise<void>;
  /** Every live entry, in batches of bounded size, never all at once. */
  batches(): AsyncIterable<TrackedParticipant[]>;
  /** The pass lease for `ttlMs` if no one (no other replica) holds it; null otherwise. */
  acquirePass(ttlMs: number): Promise<PassLease | null>;
  /** Live entries (walks them all: for tests and diagnostics, not the request path). */
  count(): Promise<number>;
}

/** Batch size of a pass: how many entries are read (and then checked one by one) at a time. */
export const PASS_BATCH = 100;

/** An entry's key: JSON `[room, identity]`, as the delayed-leave jobs are addressed. */
export function trackedEntryKey(room: string, identity: string): string {
  return JSON.stringify([room, identity]);
}

/**
 * The in-process store (no Redis): one replica, forgotten on restart. Besides the expiry, at most
 * `maxEntries` are kept; past it the longest-tracked entry is dropped (a Map iterates oldest first).
 */
export class MemoryTrackedStore implements TrackedStore {
  private readonly entries = new Map<string, { participant: TrackedParticipant; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 100_000,
  ) {}

  put(participant: TrackedParticipant, ttlMs: number): Promise<void> {
    const key = trackedEntryKey(participant.room, participant.identity);
    this.entries.delete(key);
    this.entries.set(key, { participant: { ...participant }, expiresAt: this.clock() + ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve();
  }

  get(room: string, identity: string): Promise<TrackedParticipant | null> {
    const entry = this.live(trackedEntryKey(room, identity));
    return Promise.resolve(entry === null ? null : { ...entry.participant });
  }

  keep(room: string, identity: string, ttlMs: number): Promise<void> {
    const entry = this.live(trackedEntryKey(room, identity));
    if (entry !== null) entry.expiresAt = this.clock() + ttlMs;
    return Promise.resolve();
  }

  delete(room: string, identity: string, issuedAt?: number): Promise<void> {
    const key = trackedEntryKey(room, identity);
    const entry = this.entries.get(key);
    if (issuedAt === undefined || entry?.participant.issuedAt === issuedAt) this.entries.delete(key);
    return Promise.resolve();
  }

  async *batches(): AsyncIterable<TrackedParticipant[]> {
    // A snapshot of the keys: entries added or removed during the pass do not disturb it.
    const keys = [...this.entries.keys()];
    for (let i = 0; i < keys.length; i += PASS_BATCH) {
      const batch: TrackedParticipant[] = [];
      for (const key of keys.slice(i, i + PASS_BATCH)) {
        const entry = this.live(key);
        if (entry !== null) batch.push({ ...entry.participant });
      }
      if (batch.length > 0) yield batch;
      await Promise.resolve();
    }
  }

  /** One process: checkAll's own single flight already keeps passes from overlapping. */
  acquirePass(): Promise<PassLease> {
    return Promise.resolve({ renew: () => Promise.resolve(true) });
  }

  count(): Promise<number> {
    let n = 0;
    for (const key of [...this.entries.keys()]) if (this.live(key) !== null) n++;
    return Promise.resolve(n);
  }

  private live(key: string): { participant: TrackedParticipant; expiresAt: number } | null {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt <= this.clock()) {
      this.entries.delete(key);
      return null;
    }
    return entry;
  }
}
