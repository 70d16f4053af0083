import { connected, disconnected, type DelegationRecord } from './delegation-record';
import type { DelayedLeaveTiming } from './timing';

/**
 * How a LiveKit webhook changes a delegation. Pure: the engine persists the
 * result and schedules the next step. `null` = the event changes nothing.
 */
export type EventTransition = { kind: 'update'; record: DelegationRecord } | { kind: 'abort' } | null;

export function onParticipantJoined(
  record: DelegationRecord,
  now: number,
  timing: DelayedLeaveTiming,
): EventTransition {
  // Only the initial connect matters; later joins (reconnects) keep the running restarts.
  return record.phase === 'waiting' ? { kind: 'update', record: connected(record, now, timing) } : null;
}

export function onParticipantLeft(
  record: DelegationRecord,
  clientInitiated: boolean,
  now: number,
  timing: DelayedLeaveTiming,
): EventTransition {
  switch (record.phase) {
    case 'waiting':
      // A connection that broke before we ever saw it up: the client will retry with a new
      // delegation, so give this one up without touching the homeserver. A deliberate leave of an
      // earlier session is ignored: this delegation is for the session that is about to connect.
      return clientInitiated ? null : { kind: 'abort' };
    case 'connected':
      // Left deliberately or lost: either way the member is gone, so publish the leave now.
      return { kind: 'update', record: disconnected(record, now, timing) };
    case 'disconnected':
      return null;
  }
}
