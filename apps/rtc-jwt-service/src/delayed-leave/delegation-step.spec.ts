import { describe, expect, it } from 'vitest';
import { delegation, FakeDelayedEvents, FakeParticipants } from '../../test/fakes/delayed-leave-fakes';
import { connected, disconnected, newRecord, type DelegationRecord } from './delegation-record';
import { runStep, type StepDeps } from './delegation-step';
import { DEFAULT_TIMING } from './timing';

const T = 10_000;

function setup(sanityCheckIntervalMs = 0) {
  const lookup = new FakeParticipants();
  const events = new FakeDelayedEvents();
  // random() = 0.5 makes the jitter factor exactly 1.
  const deps: StepDeps = {
    lookup,
    events,
    timing: { ...DEFAULT_TIMING, sanityCheckIntervalMs },
    random: () => 0.5,
  };
  const record = newRecord(
    'd1',
    delegation({ delayTimeoutMs: T, legacyIdentity: '@a:x:DEV' }),
    0,
    deps.timing,
  );
  return { lookup, events, deps, record };
}

async function step(record: DelegationRecord, deps: StepDeps, now: number): Promise<DelegationRecord> {
  const result = await runStep(record, deps, now);
  if (result.kind !== 'continue') throw new Error(`finished: ${result.outcome}`);
  return result.record;
}

describe('runStep while waiting for the initial connect', () => {
  it('connects when LiveKit knows the participant, with a restart due at once', async () => {
    const { lookup, deps, record } = setup();
    lookup.set('room-alias', 'hashed-identity', 'present');
    const next = await step(record, deps, 100);
    expect(next).toMatchObject({ phase: 'connected', nextRestartAt: 100, nextAt: 100 });
  });

  it('also finds a participant under the legacy /sfu/get identity', async () => {
    const { lookup, deps, record } = setup();
    lookup.set('room-alias', '@a:x:DEV', 'present');
    expect((await step(record, deps, 0)).phase).toBe('connected');
  });

  it('polls with 1 s ×1.5 backoff, capped at the wait deadline', async () => {
    const { deps, record } = setup();
    const first = await step(record, deps, 0);
    expect(first).toMatchObject({ phase: 'waiting', nextAt: 1_000, backoffMs: 1_500 });
    const second = await step(first, deps, 1_000);
    expect(second).toMatchObject({ nextAt: 2_500, backoffMs: 2_250 });
    const late = await step({ ...second, backoffMs: 60_000 }, deps, 9_000);
    expect(late.nextAt).toBe(T);
  });

  it('gives up at min(1 h, delay timeout) and turns to sending the leave', async () => {
    const { deps, record } = setup();
    const next = await step(record, deps, T);
    expect(next).toMatchObject({ phase: 'disconnected', nextAt: T, sendUntil: T + 1_000 });
  });

  it('treats a throwing lookup as unknown and keeps polling', async () => {
    const { deps, record } = setup();
    deps.lookup = { getParticipant: () => Promise.reject(new Error('twirp down')) };
    expect((await step(record, deps, 0)).phase).toBe('waiting');
  });
});

describe('runStep while connected', () => {
  it('restarts and schedules the next restart at 80 % of the delay timeout', async () => {
    const { events, deps, record } = setup();
    const next = await step(connected(record, 500, deps.timing), deps, 500);
    expect(events.of('restart')).toHaveLength(1);
    expect(next).toMatchObject({ restartedAt: 500, nextRestartAt: 500 + 8_000, nextAt: 8_500 });
  });

  it('ends without sending when the homeserver no longer knows the delayed event', async () => {
    const { events, deps, record } = setup();
    events.restartResponder = () => ({ kind: 'not_found' });
    expect(await runStep(connected(record, 0, deps.timing), deps, 0)).toEqual({
      kind: 'finish',
      outcome: 'aborted',
    });
    expect(events.of('send')).toHaveLength(0);
  });

  it('retries a failed restart after Retry-After, never past the homeserver deadline', async () => {
    const { events, deps, record } = setup();
    events.restartResponder = () => ({ kind: 'retry', retryAfterMs: 700 });
    const next = await step(connected(record, 0, deps.timing), deps, 1_000);
    expect(next.nextRestartAt).toBe(1_700);
    const capped = await step(next, deps, 9_800);
    expect(capped.nextRestartAt).toBe(T);
  });

  it('uses its own backoff when the homeserver gives no Retry-After', async () => {
    const { events, deps, record } = setup();
    events.restartResponder = () => ({ kind: 'retry' });
    const next = await step(connected(record, 0, deps.timing), deps, 0);
    expect(next).toMatchObject({ nextRestartAt: 1_000, backoffMs: 1_500 });
  });

  it('aborts when restarts keep failing until restartedAt + delay timeout', async () => {
    const { events, deps, record } = setup();
    events.restartResponder = () => ({ kind: 'retry' });
    expect(await runStep(connected(record, 0, deps.timing), deps, T)).toEqual({
      kind: 'finish',
      outcome: 'restart_failed',
    });
  });

  it('sends the leave when the sanity check finds the participant gone', async () => {
    const { events, deps, record } = setup(5_000);
    const alive = connected(record, 0, deps.timing);
    expect(alive.nextCheckAt).toBe(5_000);
    const next = await step({ ...alive, nextRestartAt: 8_000 }, deps, 5_000);
    expect(next.phase).toBe('disconnected');
    expect(events.calls).toHaveLength(0);
  });

  it('ignores a sanity check LiveKit cannot answer', async () => {
    const { lookup, deps, record } = setup(5_000);
    lookup.fallback = 'unknown';
    const next = await step({ ...connected(record, 0, deps.timing), nextRestartAt: 8_000 }, deps, 5_000);
    expect(next).toMatchObject({ phase: 'connected', nextCheckAt: 10_000, nextAt: 8_000 });
  });
});

describe('runStep while sending the leave', () => {
  it('finishes on 200 and on 404 (already sent by the homeserver)', async () => {
    const { events, deps, record } = setup();
    const gone = disconnected(record, 0, deps.timing);
    expect(await runStep(gone, deps, 0)).toEqual({ kind: 'finish', outcome: 'sent' });
    events.sendResponder = () => ({ kind: 'not_found' });
    expect(await runStep(gone, deps, 0)).toEqual({ kind: 'finish', outcome: 'sent' });
  });

  it('retries until clamp(deadline - now, 1 s, 1 h), then gives up', async () => {
    const { events, deps, record } = setup();
    events.sendResponder = () => ({ kind: 'retry', retryAfterMs: 3_000 });
    const gone = disconnected(record, 2_000, deps.timing);
    expect(gone.sendUntil).toBe(T);
    expect((await step(gone, deps, 2_000)).nextAt).toBe(5_000);
    expect(await runStep(gone, deps, T)).toEqual({ kind: 'finish', outcome: 'send_failed' });
    expect(disconnected(record, 20_000, deps.timing).sendUntil).toBe(21_000);
  });

  it('treats a throwing client as a transient failure', async () => {
    const { deps, record } = setup();
    deps.events = {
      restart: () => Promise.reject(new Error('x')),
      send: () => Promise.reject(new Error('x')),
    };
    expect((await step(disconnected(record, 0, deps.timing), deps, 0)).phase).toBe('disconnected');
  });
});
