import type { ParticipantPresence } from '../livekit/livekit-rooms';

/**
 * The delayed-leave manager's public contract (MSC4140 delegation). Controllers call
 * `DelayedLeaveManager`; the app supplies the LiveKit lookup and the homeserver client.
 */

export interface DelegationRequest {
  /** LiveKit room name (the hashed room alias). */
  room: string;
  /** LiveKit identity from /get_token hashing. */
  identity: string;
  /**
   * `${userId}:${deviceId}`: also match participants whose JWT came from /sfu/get (lk-jwt-service
   * cannot; element-hq/element-call#4209).
   */
  legacyIdentity?: string;
  /** Room alias for /sfu/get participants when it differs from `room`. */
  legacyRoom?: string;
  /** The MSC4140 delay id. Whoever holds it can send, restart or cancel the event: never log it. */
  delayId: string;
  delayTimeoutMs: number;
  /** Client-server API base URL of the user's homeserver (already resolved). */
  csApiBaseUrl: string;
  serverName: string;
}

export interface DelayedLeaveManager {
  /** Starts the job for (room, identity), replacing any job for that key: the old one acts no more. */
  delegate(req: DelegationRequest): Promise<void>;
  participantJoined(room: string, identity: string): Promise<void>;
  /** `participant_left` or `participant_connection_aborted`. */
  participantLeft(room: string, identity: string, clientInitiated: boolean): Promise<void>;
  /**
   * Ends the jobs held for (room, identity) without sending: the participant was removed because the
   * homeserver no longer has them in the room, so there is no membership left to end.
   */
  forget(room: string, identity: string): Promise<void>;
  /** Resumes persisted jobs (purging expired ones) and starts the workers. */
  start(): Promise<void>;
  /** Stops timers and workers; persisted jobs stay for the next start. */
  close(): Promise<void>;
  activeCount(): Promise<number>;
}

/** LiveKit Twirp GetParticipant; 'unknown' = transport error (no conclusion either way). */
export interface ParticipantLookup {
  getParticipant(room: string, identity: string): Promise<ParticipantPresence>;
}

export type DelayedEventResult =
  { kind: 'ok' } | { kind: 'not_found' } | { kind: 'retry'; retryAfterMs?: number };

/** MSC4140 delayed-event management on the user's homeserver. */
export interface DelayedEventsClient {
  restart(csApiBaseUrl: string, delayId: string): Promise<DelayedEventResult>;
  send(csApiBaseUrl: string, delayId: string): Promise<DelayedEventResult>;
}

/** Thrown by `delegate()` once `close()` has begun; the HTTP layer answers 503 "Service is shutting down". */
export class DelayedLeaveShuttingDownError extends Error {
  constructor() {
    super('Service is shutting down');
    this.name = 'DelayedLeaveShuttingDownError';
  }
}
