import { RoomServiceClient, ServerError } from 'livekit-server-sdk';

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
      if (err instanceof ServerError && (err.code === 'not_found' || err.status === 404)) return 'absent';
      return 'unknown';
    }
  }

  /** Disconnects a participant; one LiveKit no longer has is already where we want it. */
  async removeParticipant(room: string, identity: string): Promise<void> {
    try {
      await this.client.removeParticipant(room, identity);
    } catch (err) {
      if (err instanceof ServerError && (err.code === 'not_found' || err.status === 404)) return;
      throw err;
    }
  }

  /** Readiness: LiveKit answers an authenticated call. */
  async ping(): Promise<void> {
    await this.client.listRooms(['readiness-probe']);
  }
}
