import { clamp, type DelayedLeaveTiming } from './timing';
import type { DelegationRequest } from './types';

/**
 * The persisted state of one delegation. Plain JSON, so the same record lives in a Map or a Redis
 * hash; every time is epoch milliseconds. `version` grows by one on every write: writers compare it
 * (optimistic concurrency) and the scheduled step of a record is named after it, so a step scheduled
 * for an older version is recognisably stale.
 */
export interface DelegationRecord {
  id: string;
  version: number;
  request: DelegationRequest;
  phase: 'waiting' | 'connected' | 'disconnected';
  /** Last successful restart; creation counts, since the client has just created the event. */
  restartedAt: number;
  /** Waiting: give up on the initial connect (and send) at this time. */
  waitUntil: number;
  /** When the scheduled step is due. */
  nextAt: number;
  /** Current backoff interval of the phase's polling or retrying; 0 = none yet. */
  backoffMs: number;
  /** Connected: next restart is due. */
  nextRestartAt?: number;
  /** Connected: next participant check is due (periodic sanity check, or once after a resume). */
  nextCheckAt?: number;
  /** Disconnected: stop retrying the send after this. */
  sendUntil?: number;
}

export type TerminalOutcome = 'sent' | 'aborted' | 'restart_failed' | 'send_failed';

export function newRecord(
  id: string,
  request: DelegationRequest,
  now: number,
  timing: DelayedLeaveTiming,
): DelegationRecord {
  return {
    id,
    version: 1,
    request: { ...request },
    phase: 'waiting',
    restartedAt: now,
    waitUntil: now + Math.min(timing.maxWaitForConnectMs, request.delayTimeoutMs),
    nextAt: now,
    backoffMs: 0,
  };
}

/** The homeserver sends the event by itself at this time unless restarted first. */
export function homeserverDeadline(record: DelegationRecord): number {
  return record.restartedAt + record.request.delayTimeoutMs;
}

export function isExpired(record: DelegationRecord, now: number): boolean {
  return homeserverDeadline(record) <= now;
}

export function connected(
  record: DelegationRecord,
  now: number,
  timing: DelayedLeaveTiming,
): DelegationRecord {
  return {
    ...record,
    phase: 'connected',
    backoffMs: 0,
    nextRestartAt: now,
    nextCheckAt: timing.sanityCheckIntervalMs > 0 ? now + timing.sanityCheckIntervalMs : undefined,
    nextAt: now,
  };
}

/** The participant is gone: send the leave now, retrying until shortly after the homeserver would. */
export function disconnected(
  record: DelegationRecord,
  now: number,
  timing: DelayedLeaveTiming,
): DelegationRecord {
  const window = clamp(homeserverDeadline(record) - now, timing.minSendWindowMs, timing.maxSendWindowMs);
  return {
    ...record,
    phase: 'disconnected',
    backoffMs: 0,
    nextRestartAt: undefined,
    nextCheckAt: undefined,
    sendUntil: now + window,
    nextAt: now,
  };
}

/** (room, identity) pairs a webhook or lookup may know this participant by; the first is the job key. */
export function participantAddresses(request: DelegationRequest): [string, string][] {
  const rooms = unique([request.room, request.legacyRoom]);
  const identities = unique([request.identity, request.legacyIdentity]);
  return rooms.flatMap((room) => identities.map((identity): [string, string] => [room, identity]));
}

/** The job key, encoded like lk-jwt-service's Redis field: JSON `[room, identity]`. */
export function addressKey(room: string, identity: string): string {
  return JSON.stringify([room, identity]);
}

export function jobKey(request: DelegationRequest): string {
  return addressKey(request.room, request.identity);
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}
