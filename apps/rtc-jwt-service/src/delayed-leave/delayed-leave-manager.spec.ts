import { afterEach, describe, expect, it } from 'vitest';
import { createDelayedLeaveManager, type DelayedLeaveManagerOptions } from './create-delayed-leave-manager';
import {
  delegation,
  FakeDelayedEvents,
  FakeParticipants,
  sleep,
  waitFor,
} from '../../test/fakes/delayed-leave-fakes';
import { DelayedLeaveShuttingDownError, type DelayedLeaveManager } from './types';

/** The in-memory manager on real timers, with lk-jwt-service's intervals scaled down ~20×. */
const managers: DelayedLeaveManager[] = [];

async function setup(options: Partial<DelayedLeaveManagerOptions> = {}) {
  const lookup = new FakeParticipants();
  const events = new FakeDelayedEvents();
  const manager = createDelayedLeaveManager({
    lookup,
    events,
    random: () => 0.5,
    timing: { lookupInitialMs: 50, retryInitialMs: 50, maxIntervalMs: 200 },
    busyRetryMs: 10,
    ...options,
  });
  managers.push(manager);
  await manager.start();
  return { lookup, events, manager };
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

describe('in-memory DelayedLeaveManager', () => {
  it('restarts every 80 % of the timeout while connected, then sends exactly once on leave', async () => {
    const { events, manager } = await setup();
    await manager.delegate(delegation({ delayTimeoutMs: 500 }));
    await manager.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => events.of('restart').length >= 3, 2_000);
    const restarts = events.of('restart').map((c) => c.at);
    expect(restarts[1]! - restarts[0]!).toBeGreaterThanOrEqual(380);
    expect(restarts[2]! - restarts[1]!).toBeGreaterThanOrEqual(380);

    await manager.participantLeft('room-alias', 'hashed-identity', true);
    await waitFor(() => events.of('send').length === 1);
    const restartsAtLeave = events.of('restart').length;
    await sleep(600);
    expect(events.of('send')).toHaveLength(1);
    expect(events.of('restart')).toHaveLength(restartsAtLeave);
    expect(await manager.activeCount()).toBe(0);
  });

  it("forgets a removed participant's job without sending or restarting it again", async () => {
    const { events, manager } = await setup();
    await manager.delegate(delegation({ delayTimeoutMs: 300 }));
    await manager.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => events.of('restart').length >= 1);
    await manager.forget('room-alias', 'hashed-identity');
    expect(await manager.activeCount()).toBe(0);
    const calls = events.calls.length;
    await sleep(500);
    expect(events.calls.length).toBe(calls);
    expect(events.of('send')).toHaveLength(0);
  });

  it('connects through the participant lookup when the join webhook came before the delegation', async () => {
    const { lookup, events, manager } = await setup();
    lookup.set('room-alias', 'hashed-identity', 'present');
    const started = Date.now();
    await manager.delegate(delegation({ delayTimeoutMs: 1_000 }));
    await waitFor(() => events.of('restart').length === 1);
    expect(events.calls[0]!.at - started).toBeLessThan(200);
  });

  it('drops a delegation whose connection aborted before it connected, without a homeserver call', async () => {
    const { events, manager } = await setup();
    await manager.delegate(delegation({ delayTimeoutMs: 300 }));
    await manager.participantLeft('room-alias', 'hashed-identity', false);
    expect(await manager.activeCount()).toBe(0);
    await sleep(500);
    expect(events.calls).toEqual([]);
  });

  it('ignores a deliberate leave while waiting, and sends when the wait for the connect runs out', async () => {
    const { events, manager } = await setup();
    await manager.delegate(delegation({ delayTimeoutMs: 300 }));
    await manager.participantLeft('room-alias', 'hashed-identity', true);
    expect(await manager.activeCount()).toBe(1);
    await waitFor(() => events.of('send').length === 1, 2_000);
    expect(events.of('send')[0]!.delayId).toBe('syd_delay');
    await sleep(200);
    expect(events.calls.map((c) => c.action)).toEqual(['send']);
  });

  it('replaces the job of the same (room, identity): the old delay id is never used again', async () => {
    const { events, manager } = await setup();
    await manager.delegate(delegation({ delayId: 'old', delayTimeoutMs: 400 }));
    await manager.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => events.of('restart', 'old').length === 1);
    await manager.delegate(delegation({ delayId: 'new', delayTimeoutMs: 400 }));
    const oldCalls = events.of('restart', 'old').length;
    expect(await manager.activeCount()).toBe(1);
    await manager.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => events.of('restart', 'new').length >= 2, 2_000);
    await manager.participantLeft('room-alias', 'hashed-identity', true);
    await waitFor(() => events.of('send').length === 1);
    await sleep(300);
    expect(events.of('restart', 'old')).toHaveLength(oldCalls);
    expect(events.of('send').map((c) => c.delayId)).toEqual(['new']);
  });

  it('keeps jobs of different keys independent', async () => {
    const { events, manager } = await setup();
    await manager.delegate(delegation({ identity: 'a', delayId: 'da', delayTimeoutMs: 400 }));
    await manager.delegate(delegation({ identity: 'b', delayId: 'db', delayTimeoutMs: 400 }));
    await manager.participantJoined('room-alias', 'a');
    await manager.participantJoined('room-alias', 'b');
    await manager.participantLeft('room-alias', 'a', true);
    await waitFor(() => events.of('send').length === 1);
    expect(events.of('send')[0]!.delayId).toBe('da');
    await waitFor(() => events.of('restart', 'db').length >= 2, 2_000);
    expect(await manager.activeCount()).toBe(1);
  });

  it('matches webhooks of /sfu/get participants by legacy identity and legacy room', async () => {
    const { events, manager } = await setup();
    const req = delegation({
      legacyIdentity: '@alice:example.com:DEV',
      legacyRoom: 'legacy-alias',
      delayTimeoutMs: 500,
    });
    await manager.delegate(req);
    await manager.participantJoined('other-room', '@alice:example.com:DEV');
    await sleep(50);
    expect(events.calls).toEqual([]);
    await manager.participantJoined('legacy-alias', '@alice:example.com:DEV');
    await waitFor(() => events.of('restart').length === 1);
    await manager.participantLeft('legacy-alias', '@alice:example.com:DEV', true);
    await waitFor(() => events.of('send').length === 1);
  });

  it('finds a legacy participant through the lookup too', async () => {
    const { lookup, events, manager } = await setup();
    lookup.set('room-alias', '@alice:example.com:DEV', 'present');
    await manager.delegate(delegation({ legacyIdentity: '@alice:example.com:DEV', delayTimeoutMs: 1_000 }));
    await waitFor(() => events.of('restart').length === 1);
  });

  it('ends without a send when the homeserver answers 404 to a restart', async () => {
    const { events, manager } = await setup();
    events.restartResponder = () => ({ kind: 'not_found' });
    await manager.delegate(delegation({ delayTimeoutMs: 300 }));
    await manager.participantJoined('room-alias', 'hashed-identity');
    await waitFor(async () => (await manager.activeCount()) === 0);
    await sleep(300);
    expect(events.calls.map((c) => c.action)).toEqual(['restart']);
  });

  it('ends without a send when restarts fail until the homeserver deadline', async () => {
    const { events, manager } = await setup();
    events.restartResponder = () => ({ kind: 'retry' });
    await manager.delegate(delegation({ delayTimeoutMs: 300 }));
    await manager.participantJoined('room-alias', 'hashed-identity');
    await waitFor(async () => (await manager.activeCount()) === 0, 2_000);
    expect(events.of('restart').length).toBeGreaterThan(2);
    expect(events.of('send')).toEqual([]);
  });

  it('honours Retry-After between send attempts', async () => {
    const { events, manager } = await setup();
    events.sendResponder = (_id, attempt) =>
      attempt === 0 ? { kind: 'retry', retryAfterMs: 250 } : { kind: 'ok' };
    await manager.delegate(delegation({ delayTimeoutMs: 2_000 }));
    await manager.participantJoined('room-alias', 'hashed-identity');
    await manager.participantLeft('room-alias', 'hashed-identity', false);
    await waitFor(() => events.of('send').length === 2);
    const [first, second] = events.of('send');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(240);
    await sleep(200);
    expect(events.of('send')).toHaveLength(2);
  });

  it('sends the leave when the sanity check no longer finds the participant', async () => {
    const { lookup, events, manager } = await setup({ sanityCheckIntervalMs: 100 });
    lookup.set('room-alias', 'hashed-identity', 'present');
    await manager.delegate(delegation({ delayTimeoutMs: 2_000 }));
    await waitFor(() => events.of('restart').length === 1);
    lookup.set('room-alias', 'hashed-identity', 'absent');
    await waitFor(() => events.of('send').length === 1, 1_000);
  });

  it('stops everything on close and refuses new delegations', async () => {
    const { events, manager } = await setup();
    await manager.delegate(delegation({ delayTimeoutMs: 300 }));
    await manager.participantJoined('room-alias', 'hashed-identity');
    await waitFor(() => events.of('restart').length === 1);
    await manager.close();
    const calls = events.calls.length;
    await manager.participantLeft('room-alias', 'hashed-identity', true);
    await expect(manager.delegate(delegation())).rejects.toBeInstanceOf(DelayedLeaveShuttingDownError);
    await sleep(500);
    expect(events.calls).toHaveLength(calls);
  });
});
