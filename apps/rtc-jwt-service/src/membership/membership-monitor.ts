import type { Log } from '@gateway/server';
import type { Clock } from '@gateway/util';
import type { ParticipantPresence } from '../livekit/livekit-rooms';
import { MembershipUnknownError } from './is-joined-client';
import type { MembershipChecker } from './membership-checker';

/** A LiveKit participant this service minted a token for, and the Matrix membership it stands for. */
export interface TrackedParticipant {
  /** LiveKit room name and identity, as in the token. */
  room: string;
  identity: string;
  roomId: string;
  userId: string;
  issuedAt: number;
}

export interface MembershipMonitorOptions {
  checker: Pick<MembershipChecker, 'isJoined'>;
  rooms: {
    removeParticipant(room: string, identity: string): Promise<void>;
    participant(room: string, identity: string): Promise<ParticipantPresence>;
  };
  /** Ends any delayed-leave job held for the participant. */
  forgetDelayedLeave: (room: string, identity: string) => Promise<void>;
  clock: Clock;
  log: Log;
  /** After this long, a tracked participant LiveKit does not know is dropped (its token has expired). */
  tokenLifetimeMs: number;
  maxTracked?: number;
}

/**
 * Removes from the SFU anyone whose Matrix membership ended (left, kicked, banned), since LiveKit cannot
 * revoke a token: on LiveKit's `participant_joined` webhook, and for every tracked participant on each
 * periodic check. A failed `is_joined` removes nobody: only the homeserver saying "not joined" does.
 *
 * The participants are tracked in this process, from the tokens it minted; with several replicas each
 * checks the participants whose tokens it issued.
 */
export class MembershipMonitor {
  private readonly tracked = new Map<string, TrackedParticipant>();
  private running: Promise<void> | null = null;

  constructor(private readonly o: MembershipMonitorOptions) {}

  track(participant: Omit<TrackedParticipant, 'issuedAt'>): void {
    const key = `${participant.room}\n${participant.identity}`;
    this.tracked.delete(key);
    this.tracked.set(key, { ...participant, issuedAt: this.o.clock() });
    // Oldest first in a Map: past the bound, the longest-tracked participant is the one to drop.
    for (const oldest of this.tracked.keys()) {
      if (this.tracked.size <= (this.o.maxTracked ?? 100_000)) break;
      this.tracked.delete(oldest);
    }
  }

  get size(): number {
    return this.tracked.size;
  }

  /** `participant_joined`: the membership is checked afresh, as MSC4195 recommends. */
  async participantJoined(room: string, identity: string): Promise<void> {
    const participant = this.tracked.get(`${room}\n${identity}`);
    if (participant !== undefined) await this.check(participant);
  }

  /** `participant_left`: nothing left to watch. */
  participantLeft(room: string, identity: string): void {
    this.tracked.delete(`${room}\n${identity}`);
  }

  /** One pass over every tracked participant; a pass still running is joined, not doubled. */
  checkAll(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    for (const participant of [...this.tracked.values()]) {
      const joined = await this.check(participant);
      if (joined && this.o.clock() - participant.issuedAt > this.o.tokenLifetimeMs) {
        // The token has expired: once LiveKit no longer has the participant, nobody can come back with it.
        const presence = await this.o.rooms.participant(participant.room, participant.identity);
        if (presence === 'absent') this.tracked.delete(`${participant.room}\n${participant.identity}`);
      }
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
      this.tracked.delete(`${p.room}\n${p.identity}`);
      log.info({}, 'participant removed from the SFU: no longer joined to the Matrix room');
    } catch (err) {
      // Kept tracked: the next pass tries again.
      log.warn({ err: err instanceof Error ? err : new Error(String(err)) }, 'removing a participant failed');
    }
    return false;
  }
}
