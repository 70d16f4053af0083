import { createQueue } from '@gateway/queues';
import { createTestRedis, type TestRedis } from '@gateway/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDelayedLeaveManager } from '../../src/delayed-leave/create-delayed-leave-manager';
import type { DelayedLeaveManager } from '../../src/delayed-leave/types';
import {
  delegation,
  FakeDelayedEvents,
  FakeParticipants,
  sleep,
  waitFor,
} from '../fakes/delayed-leave-fakes';

/**
 * The Redis + BullMQ manager on the real Redis: jobs outlive a manager, replicas sharing a prefix act
 * once per step, and webhooks work at any replica.
 */
describe('DelayedLeaveManager on Redis + BullMQ', () => {
  let redis: TestRedis;
  let lookup: FakeParticipants;
  let events: FakeDelayedEvents;
  let warnings: string[];
  const managers: DelayedLeaveManager[] = [];

  beforeEach(async () => {
    redis = await createTestRedis();
    lookup = new FakeParticipants();
    events = new FakeDelayedEvents();
    warnings = [];
  });

  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
    await redis.cleanup();
  });

  async function replica(): Promise<DelayedLeaveManager> {
    const manager = createDelayedLeaveManager({
      redis: { client: redis.redis, prefix: redis.prefix },
      lookup,
      events,
      logger: { warn: (fields: { msg: string }) => warnings.push(fields.msg), debug: () => undefined },
      timing: { lookupInitialMs: 50, retryInitialMs: 50, maxIntervalMs: 200 },
      busyRetryMs: 20,
    });
    managers.push(manager);
    await manager.start();
    return manager;
  }

  const restarts = () => events.of('restart').length;
  const sends = () => events.of('send').length;

  it('resumes a job in a new manager on the same prefix and sends exactly once after the leave', async () => {
    lookup.set('room-alias', 'hashed-identity', 'present');
    const first = await replica();
    await first.delegate(delegation({ delayTimeoutMs: 600 }));
    await waitFor(() => restarts() >= 2);
    await first.close();
    const atClose = restarts();
    await sleep(150);
    expect(restarts()).toBe(atClose);

    const second = await replica();
    expect(await second.activeCount()).toBe(1);
    await waitFor(() => restarts() >= atClose + 2, 3_000);
    await second.participantLeft('room-alias', 'hashed-identity', true);
    await waitFor(() => sends() === 1);
    const atSend = restarts();
    await sleep(800);
    expect(sends()).toBe(1);
    expect(restarts()).toBe(atSend);
    expect(await second.activeCount()).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('acts once per step with two replicas, whichever of them gets the webhooks', async () => {
    const a = await replica();
    const b = await replica();
    await a.delegate(delegation({ delayTimeoutMs: 500 }));
    await b.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => restarts() >= 1);
    await sleep(2_000);
    const at = events.of('restart').map((c) => c.at);
    // One actor restarts every 400 ms: 6 in 2 s at most; two would double that.
    expect(at.length).toBeGreaterThanOrEqual(4);
    expect(at.length).toBeLessThanOrEqual(7);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThan(300);

    await Promise.all([
      a.participantLeft('room-alias', 'hashed-identity', true),
      b.participantLeft('room-alias', 'hashed-identity', true),
    ]);
    await waitFor(() => sends() === 1);
    await sleep(500);
    expect(sends()).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('replaces a job from another replica: the old delay id is left alone', async () => {
    const a = await replica();
    const b = await replica();
    await a.delegate(delegation({ delayId: 'old', delayTimeoutMs: 500 }));
    await a.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => events.of('restart', 'old').length >= 1);
    await b.delegate(delegation({ delayId: 'new', delayTimeoutMs: 500 }));
    const oldRestarts = events.of('restart', 'old').length;
    await b.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => events.of('restart', 'new').length >= 2, 3_000);
    expect(events.of('restart', 'old')).toHaveLength(oldRestarts);
    expect(await a.activeCount()).toBe(1);
  });

  it('purges jobs the homeserver has already sent when it starts', async () => {
    const first = await replica();
    await first.delegate(delegation({ delayTimeoutMs: 300 }));
    await first.close();
    await sleep(400);
    const second = await replica();
    expect(await second.activeCount()).toBe(0);
    await sleep(500);
    expect(events.calls).toEqual([]);
  });

  it('reschedules a job whose queued step was lost', async () => {
    lookup.set('room-alias', 'hashed-identity', 'present');
    const first = await replica();
    await first.delegate(delegation({ delayTimeoutMs: 2_000 }));
    await waitFor(() => restarts() === 1);
    await first.close();
    const queue = createQueue('rtc.delayed-leave', { redis: redis.redis, prefix: redis.prefix });
    await queue.obliterate({ force: true });
    await queue.close();

    await replica();
    await waitFor(() => lookup.lookups.length >= 2);
    lookup.set('room-alias', 'hashed-identity', 'absent');
    // The resume check found the participant; the next restart is still the record's own schedule.
    await waitFor(() => restarts() === 2, 3_000);
  });
});
