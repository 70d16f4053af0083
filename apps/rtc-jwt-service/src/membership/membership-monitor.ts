import type { Log } from '@gateway/server';
import type { Clock } from '@gateway/util';
import type { ParticipantPresence } from '../livekit/livekit-rooms';
import { MembershipUnknownError } from './is-joined-client';
import type { MembershipChecker } from './membership-checker';
import type { TrackedParticipant, TrackedStore } from './tracked-store';

export type { TrackedParticipant } from './tracked-store';

export interface MembershipMonitorOptions {
  checker: Pick<MembershipChecker, 'isJoined'>;
  rooms: {
    removeParticipant(room: string, identity: string): Promise<void>;
    participant(room: string, identity: string): Promise<ParticipantPresence>;
  };
  /** Ends any delayed-leave job held for the participant. */
  forgetDelayedLeave: (room: string, identity: string) => Promise<void>;
  /** Who is watched: in this process, or in Redis shared by the replicas. */
  store: TrackedStore;
  clock: Clock;
  log: Log;
  /** After this long, a tracked participant LiveKit does not know is dropped (its token has expired). */
  tokenLifetimeMs: number;
  /** How often the periodic pass runs (LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS); 0 = never. */
  checkIntervalMs: number;
}

/** The shortest time an entry outlives its token (or LiveKit's last "still here") for a pass to see it. */
const MIN_RETAIN_MS = 60_000;

/**
 * Removes from the SFU anyone whose Matrix membership ended (left, kicked, banned), since LiveKit cannot
 * revoke a token: on LiveKit's `participant_joined` webhook, and for every tracked participant on each
 * periodic check. A failed `is_joined` removes nobody: only the homeserver saying "not joined" does.
 *
 * The participants are those this service minted tokens for, kept in the store: with Redis, any replica
 * answers the webhook for a token another minted, a restarted replica still knows everyone, and one
 * replica at a time runs the pass (a lease, taken for most of an interval). Each entry expires on its
 * own some time after its token (`retainMs`), unless a pass finds LiveKit still has the participant.
 */
export class MembershipMonitor {
  private running: Promise<void> | null = null;
  /** How long past its token, or past the last pass that found it in LiveKit, an entry is kept. */
  private readonly retainMs: number;
  /**
   * A pass holds the lease for most of an interval: the replica that ran it must be able to take it
   * again on its next tick (timers and the round trip drift by milliseconds), while a replica ticking
   * soon after finds it held and skips.
   */
  private readonly leaseMs: number;

  constructor(private readonly o: MembershipMonitorOptions) {
    // Three intervals: one missed pass (a replica restarting, a lease changing hands) loses nobody.
    this.retainMs = Math.max(3 * o.checkIntervalMs, MIN_RETAIN_MS);
    this.leaseMs = Math.max(1, Math.floor(o.checkIntervalMs * 0.8));
  }

  /** Starts watching a participant whose token was just minted. */
  track(participant: Omit<TrackedParticipant, 'issuedAt'>): Promise<void> {
    return this.o.store.put(
      { ...participant, issuedAt: this.o.clock() },
      this.o.tokenLifetimeMs + this.retainMs,
    );
  }

  /** Participants watched now (walks them all: tests and diagnostics). */
  size(): Promise<number> {
    return this.o.store.count();
  }

  /** `participant_joined`: the membership is checked afresh, as MSC4195 recommends. */
  async participantJoined(room: string, identity: string): Promise<void> {
    const participant = await this.o.store.get(room, identity);
    if (participant !== null) await this.check(participant);
  }

  /** `participant_left`: nothing left to watch. */
  participantLeft(room: string, identity: string): Promise<void> {
    return this.o.store.delete(room, identity);
  }

  /**
   * One pass over every tracked participant, unless another replica's pass has this interval; a pass
   * still running here is joined, not doubled. Never rejects: a store failure is logged, and the next
   * interval tries again.
   */
  checkAll(): Promise<void> {
    this.running ??= this.pass()
      .catch((err: unknown) => {
        this.o.log.warn(
          { err: err instanceof Error ? err : new Error(String(err)) },
          'membership pass stopped early',
        );
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async pass(): Promise<void> {
    const lease = await this.o.store.acquirePass(this.leaseMs);
    if (lease === null) return;
    for await (const batch of this.o.store.batches()) {
      for (const participant of batch) {
        const joined = await this.check(participant);
        if (joined && this.o.clock() - participant.issuedAt > this.o.tokenLifetimeMs) {
          // The token has expired: once LiveKit no longer has the participant, nobody can come back with it.
          const presence = await this.o.rooms.participant(participant.room, participant.identity);
          if (presence === 'absent')
            await this.o.store.delete(participant.room, participant.identity, participant.issuedAt);
          else await this.o.store.keep(participant.room, participant.identity, this.retainMs);
        }
      }
      // A pass longer than the lease keeps it, so no other replica starts a second pass meanwhile.
      if (!(await lease.renew(this.leaseMs))) return;
    }
  }

  /** True while joined (or unknown); removes the participant when the homeserver says not joined. */
  private async check(p: TrackedParticipant): Promise<boolean> {
    const log = this.o.log.child({ room: p.room });
    try {
      if (await this.o.checker.isJoined(p.roomId, { mxid: p.userId }, true)) return true;
    } catch (err) {
      log.warn(
        { err: err instanceof MembershipUnknownError ? err : new Error(String(err)) },
        'membership check failed; participant kept',
      );
      return true;
    }
    try {
      await this.o.rooms.removeParticipant(p.room, p.identity);
      await this.o.forgetDelayedLeave(p.room, p.identity);
      await this.o.store.delete(p.room, p.identity, p.issuedAt);
      log.info({}, 'participant removed from the SFU: no longer joined to the Matrix room');
    } catch (err) {
      // Kept tracked: the next pass tries again.
      log.warn({ err: err instanceof Error ? err : new Error(String(err)) }, 'removing a participant failed');
    }
    return false;
  }
}
