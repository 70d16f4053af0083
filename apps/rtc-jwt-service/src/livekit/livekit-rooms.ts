import {
  ParticipantInfo_State,
  RoomServiceClient,
  ServerError,
  type ParticipantInfo,
  type Room,
} from 'livekit-server-sdk';

export type ParticipantPresence = 'present' | 'absent' | 'unknown';

/** Room settings lk-jwt-service creates rooms with; Element Call's reconnect behaviour assumes them. */
export const ROOM_SETTINGS = { emptyTimeout: 300, departureTimeout: 20, maxParticipants: 0 } as const;

/**
 * The LiveKit RoomService (Twirp) calls this service makes. One client is reused: it holds no
 * per-request state, and the SDK signs a fresh short-lived token for every call.
 */
export class LiveKitRooms {
  private readonly client: RoomServiceClient;

  constructor(url: string, key: string, secret: string, timeoutSeconds = 10) {
    this.client = new RoomServiceClient(url, key, secret, {
      requestTimeout: timeoutSeconds,
      failover: false,
    });
  }

  /** Idempotent: LiveKit returns the existing room when it exists. */
  async createRoom(name: string): Promise<void> {
    await this.client.createRoom({ name, ...ROOM_SETTINGS });
  }

  /** `absent` only when LiveKit says so; a transport error is `unknown`, never taken as "left". */
  async participant(room: string, identity: string): Promise<ParticipantPresence> {
    try {
      await this.client.getParticipant(room, identity);
      return 'present';
    } catch (err) {
      if (isNotFound(err)) return 'absent';
      return 'unknown';
    }
  }

  /** Disconnects a participant; one LiveKit no longer has is already where we want it. */
  async removeParticipant(room: string, identity: string): Promise<void> {
    try {
      await this.client.removeParticipant(room, identity);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** Every room LiveKit has now (the admin API). */
  async listRooms(): Promise<Room[]> {
    return this.client.listRooms();
  }

  /** A room's participants; null when LiveKit has no such room (it may have closed meanwhile). */
  async listParticipants(room: string): Promise<ParticipantInfo[] | null> {
    try {
      return await this.client.listParticipants(room);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Disconnects a participant an operator chose; false when LiveKit has no such room or participant. */
  async kick(room: string, identity: string): Promise<boolean> {
    try {
      await this.client.removeParticipant(room, identity);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Readiness: LiveKit answers an authenticated call. */
  async ping(): Promise<void> {
    await this.client.listRooms(['readiness-probe']);
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof ServerError && (err.code === 'not_found' || err.status === 404);
}

/** LiveKit's participant state as the admin API writes it: `joining`, `joined`, `active`, `disconnected`. */
export function participantState(state: ParticipantInfo_State): string {
  return (ParticipantInfo_State[state] as string | undefined)?.toLowerCase() ?? 'unknown';
}
