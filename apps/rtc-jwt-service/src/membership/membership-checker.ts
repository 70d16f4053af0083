import { LruCache, SingleFlight, type Clock } from '@gateway/util';
import type { JoinedSubject } from './is-joined-client';

export interface MembershipCheckerOptions {
  isJoined: (roomId: string, subject: JoinedSubject) => Promise<boolean>;
  /** How long an answer is reused; 0 asks every time (concurrent askers still share one request). */
  cacheTtlMs: number;
  clock: Clock;
  maxEntries?: number;
}

/**
 * `is_joined` answers, cached briefly and single-flighted: a call starting rings every member's client
 * at once, and Element Call retries, so many token requests ask the same question within a second.
 * Only answers are cached; a failure is never reused.
 */
export class MembershipChecker {
  private readonly cache: LruCache<string, boolean> | null;
  private readonly flights = new SingleFlight<string, boolean>();

  constructor(private readonly o: MembershipCheckerOptions) {
    this.cache =
      o.cacheTtlMs > 0
        ? new LruCache(o.maxEntries ?? 50_000, { defaultTtlMs: o.cacheTtlMs, clock: o.clock })
        : null;
  }

  /**
   * Whether `subject` is joined to `roomId`. `fresh` skips the cache (the removal checks must see a
   * leave as soon as the homeserver does) and refreshes it with the answer.
   */
  async isJoined(roomId: string, subject: JoinedSubject, fresh = false): Promise<boolean> {
    const key = 'mxid' in subject ? `${roomId}\nu\n${subject.mxid}` : `${roomId}\ns\n${subject.serverName}`;
    if (!fresh) {
      const cached = this.cache?.get(key);
      if (cached !== undefined) return cached;
    }
    // Fresh and cached lookups use separate flights, so a fresh check never gets a stale shared answer.
    return this.flights.run(`${fresh ? 'f' : 'c'}\n${key}`, async () => {
      const joined = await this.o.isJoined(roomId, subject);
      this.cache?.set(key, joined);
      return joined;
    });
  }
}
