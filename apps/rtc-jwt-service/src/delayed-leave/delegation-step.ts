import type { ParticipantPresence } from '../livekit/livekit-rooms';
import {
  connected,
  disconnected,
  homeserverDeadline,
  participantAddresses,
  type DelegationRecord,
  type TerminalOutcome,
} from './delegation-record';
import { backoffStep, type DelayedLeaveTiming, type Random } from './timing';
import type { DelayedEventResult, DelayedEventsClient, ParticipantLookup } from './types';

/**
 * One timed step of a delegation: whatever its record says is due (participant lookup, restart, send)
 * is done once, and the result says what to persist and when to come back. The engine guarantees a
 * single step per delegation at a time; this function only does the I/O and the arithmetic.
 */
export type StepResult =
  { kind: 'continue'; record: DelegationRecord } | { kind: 'finish'; outcome: TerminalOutcome };

export interface StepDeps {
  lookup: ParticipantLookup;
  events: DelayedEventsClient;
  timing: DelayedLeaveTiming;
  random: Random;
}

export async function runStep(record: DelegationRecord, deps: StepDeps, now: number): Promise<StepResult> {
  switch (record.phase) {
    case 'waiting':
      return waitForConnect(record, deps, now);
    case 'connected':
      return keepAlive(record, deps, now);
    case 'disconnected':
      return sendLeave(record, deps, now);
  }
}

async function waitForConnect(record: DelegationRecord, deps: StepDeps, now: number): Promise<StepResult> {
  const presence = await lookupParticipant(record, deps.lookup);
  if (presence === 'present') return { kind: 'continue', record: connected(record, now, deps.timing) };
  // Never connected within the wait: the member is not coming, so publish the leave.
  if (now >= record.waitUntil) return { kind: 'continue', record: disconnected(record, now, deps.timing) };
  const { waitMs, nextMs } = backoffStep(
    record.backoffMs,
    deps.timing.lookupInitialMs,
    deps.timing,
    deps.random,
  );
  return {
    kind: 'continue',
    record: { ...record, backoffMs: nextMs, nextAt: Math.min(now + waitMs, record.waitUntil) },
  };
}

async function keepAlive(record: DelegationRecord, deps: StepDeps, now: number): Promise<StepResult> {
  let next = record;
  if (next.nextCheckAt !== undefined && now >= next.nextCheckAt) {
    // Only a definite "absent" counts: a LiveKit outage must not end everyone's call.
    if ((await lookupParticipant(next, deps.lookup)) === 'absent') {
      return { kind: 'continue', record: disconnected(next, now, deps.timing) };
    }
    const interval = deps.timing.sanityCheckIntervalMs;
    next = { ...next, nextCheckAt: interval > 0 ? now + interval : undefined };
  }
  if (next.nextRestartAt === undefined || now >= next.nextRestartAt) {
    const result = await callSafely(() =>
      deps.events.restart(next.request.csApiBaseUrl, next.request.delayId),
    );
    switch (result.kind) {
      case 'ok':
        next = {
          ...next,
          restartedAt: now,
          backoffMs: 0,
          nextRestartAt: now + Math.round(next.request.delayTimeoutMs * deps.timing.restartFraction),
        };
        break;
      case 'not_found':
        // Sent, cancelled or expired on the homeserver: nothing left to keep alive.
        return { kind: 'finish', outcome: 'aborted' };
      case 'retry': {
        const deadline = homeserverDeadline(next);
        if (now >= deadline) return { kind: 'finish', outcome: 'restart_failed' };
        const { waitMs, nextMs } = retryWait(next.backoffMs, result.retryAfterMs, deps);
        next = { ...next, backoffMs: nextMs, nextRestartAt: Math.min(now + waitMs, deadline) };
        break;
      }
    }
  }
  const restartAt = next.nextRestartAt ?? now;
  return {
    kind: 'continue',
    record: { ...next, nextAt: Math.min(restartAt, next.nextCheckAt ?? restartAt) },
  };
}

async function sendLeave(record: DelegationRecord, deps: StepDeps, now: number): Promise<StepResult> {
  const result = await callSafely(() =>
    deps.events.send(record.request.csApiBaseUrl, record.request.delayId),
  );
  // 404: the homeserver already sent it (its own timer) or the client cancelled it; done either way.
  if (result.kind !== 'retry') return { kind: 'finish', outcome: 'sent' };
  const sendUntil = record.sendUntil ?? now;
  if (now >= sendUntil) return { kind: 'finish', outcome: 'send_failed' };
  const { waitMs, nextMs } = retryWait(record.backoffMs, result.retryAfterMs, deps);
  return {
    kind: 'continue',
    record: { ...record, backoffMs: nextMs, nextAt: Math.min(now + waitMs, sendUntil) },
  };
}

/** The homeserver's Retry-After wins over our own backoff. */
function retryWait(
  currentMs: number,
  retryAfterMs: number | undefined,
  deps: StepDeps,
): { waitMs: number; nextMs: number } {
  const step = backoffStep(currentMs, deps.timing.retryInitialMs, deps.timing, deps.random);
  return retryAfterMs !== undefined && retryAfterMs >= 0 ? { ...step, waitMs: retryAfterMs } : step;
}

/**
 * Present if LiveKit knows the participant under any of its addresses (hashed or legacy identity);
 * absent only if every answer was a definite no.
 */
async function lookupParticipant(
  record: DelegationRecord,
  lookup: ParticipantLookup,
): Promise<ParticipantPresence> {
  let sawUnknown = false;
  for (const [room, identity] of participantAddresses(record.request)) {
    let presence: ParticipantPresence;
    try {
      presence = await lookup.getParticipant(room, identity);
    } catch {
      presence = 'unknown';
    }
    if (presence === 'present') return 'present';
    if (presence === 'unknown') sawUnknown = true;
  }
  return sawUnknown ? 'unknown' : 'absent';
}

/** A client that throws is treated like a transient failure, never as a verdict. */
async function callSafely(call: () => Promise<DelayedEventResult>): Promise<DelayedEventResult> {
  try {
    return await call();
  } catch {
    return { kind: 'retry' };
  }
}
