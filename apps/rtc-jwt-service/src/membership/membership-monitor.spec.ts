import { describe, expect, it } from 'vitest';
import { silentLog } from '@gateway/server';
import type { ParticipantPresence } from '../livekit/livekit-rooms';
import { MembershipUnknownError, type JoinedSubject } from './is-joined-client';
import { MembershipMonitor } from './membership-monitor';
import { MemoryTrackedStore, type TrackedStore } from './tracked-store';

function setup(store?: (clock: () => number) => TrackedStore) {
  let now = 0;
  const joined = new Map<string, boolean | Error>();
  const removed: string[] = [];
  const forgotten: string[] = [];
  const present = new Map<string, ParticipantPresence>();
  const asked: { fresh: boolean }[] = [];
  let failRemove = false;
  const clock = () => now;
  const monitor = new MembershipMonitor({
    checker: {
      isJoined: (_roomId: string, subject: JoinedSubject, fresh?: boolean) => {
        asked.push({ fresh: fresh === true });
        const answer = joined.get('mxid' in subject ? subject.mxid : '') ?? true;
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
    },
    rooms: {
      removeParticipant: (room, identity) => {
        if (failRemove) return Promise.reject(new Error('LiveKit down'));
        removed.push(`${room}/${identity}`);
        return Promise.resolve();
      },
      participant: (room, identity) => Promise.resolve(present.get(`${room}/${identity}`) ?? 'unknown'),
    },
    forgetDelayedLeave: (room, identity) => {
      forgotten.push(`${room}/${identity}`);
      return Promise.resolve();
    },
    store: store?.(clock) ?? new MemoryTrackedStore(clock),
    clock,
    log: silentLog,
    tokenLifetimeMs: 3_600_000,
    checkIntervalMs: 30_000,
  });
  const track = (user: string, identity = `id-${user}`): Promise<void> =>
    monitor.track({ room: 'lk-room', identity, roomId: '!r:hs', userId: user });
  return {
    monitor,
    joined,
    removed,
    forgotten,
    present,
    asked,
    track,
    advance: (ms: number) => (now += ms),
    failRemove: (v: boolean) => (failRemove = v),
  };
}

describe('MembershipMonitor', () => {
  it('removes from the SFU, and forgets the delayed leave of, whoever is no longer joined', async () => {
    const t = setup();
    await t.track('@stays:hs');
    await t.track('@left:hs');
    t.joined.set('@left:hs', false);
    await t.monitor.checkAll();
    expect(t.removed).toEqual(['lk-room/id-@left:hs']);
    expect(t.forgotten).toEqual(['lk-room/id-@left:hs']);
    expect(await t.monitor.size()).toBe(1);
    // Every removal decision is taken on a fresh answer, never a cached one.
    expect(t.asked.every((a) => a.fresh)).toBe(true);
  });

  it('removes nobody when the homeserver cannot answer', async () => {
    const t = setup();
    await t.track('@a:hs');
    t.joined.set('@a:hs', new MembershipUnknownError('is_joined failed (timeout)'));
    await t.monitor.checkAll();
    expect(t.removed).toEqual([]);
    expect(await t.monitor.size()).toBe(1);
  });

  it('keeps a participant whose removal failed, and removes them on the next pass', async () => {
    const t = setup();
    await t.track('@a:hs');
    t.joined.set('@a:hs', false);
    t.failRemove(true);
    await t.monitor.checkAll();
    expect(await t.monitor.size()).toBe(1);
    expect(t.forgotten).toEqual([]);
    t.failRemove(false);
    await t.monitor.checkAll();
    expect(t.removed).toEqual(['lk-room/id-@a:hs']);
    expect(await t.monitor.size()).toBe(0);
  });

  it('checks on participant_joined and stops watching on participant_left', async () => {
    const t = setup();
    await t.track('@a:hs');
    await t.track('@b:hs');
    t.joined.set('@a:hs', false);
    await t.monitor.participantJoined('lk-room', 'id-@a:hs');
    expect(t.removed).toEqual(['lk-room/id-@a:hs']);
    await t.monitor.participantJoined('lk-room', 'unknown-identity');
    expect(t.asked).toHaveLength(1);
    await t.monitor.participantLeft('lk-room', 'id-@b:hs');
    expect(await t.monitor.size()).toBe(0);
  });

  it('drops a member whose token expired once LiveKit no longer has them', async () => {
    const t = setup();
    await t.track('@gone:hs');
    await t.track('@still:hs');
    t.present.set('lk-room/id-@gone:hs', 'absent');
    t.present.set('lk-room/id-@still:hs', 'present');
    await t.monitor.checkAll();
    expect(await t.monitor.size()).toBe(2);
    t.advance(3_600_001);
    await t.monitor.checkAll();
    expect(await t.monitor.size()).toBe(1);
    expect(t.removed).toEqual([]);
  });

  it('keeps past its token whoever LiveKit still has, and forgets an entry nobody looked at', async () => {
    const t = setup();
    await t.track('@still:hs');
    t.present.set('lk-room/id-@still:hs', 'present');
    t.advance(3_600_001);
    await t.monitor.checkAll();
    // Kept for three intervals from this pass, not from the token.
    t.advance(89_000);
    expect(await t.monitor.size()).toBe(1);
    t.advance(2_000);
    expect(await t.monitor.size()).toBe(0);
  });

  it('runs one pass at a time', async () => {
    const t = setup();
    await t.track('@a:hs');
    const first = t.monitor.checkAll();
    expect(t.monitor.checkAll()).toBe(first);
    await first;
    expect(t.asked).toHaveLength(1);
  });

  it('leaves the interval to the replica holding the pass lease', async () => {
    const t = setup((clock) =>
      Object.assign(new MemoryTrackedStore(clock), { acquirePass: () => Promise.resolve(null) }),
    );
    await t.track('@a:hs');
    await t.monitor.checkAll();
    expect(t.asked).toEqual([]);
  });

  it('stops a pass, between batches, once its lease was lost', async () => {
    const t = setup((clock) =>
      Object.assign(new MemoryTrackedStore(clock), {
        acquirePass: () => Promise.resolve({ renew: () => Promise.resolve(false) }),
      }),
    );
    for (let n = 0; n < 150; n++) await t.track(`@u${n}:hs`);
    await t.monitor.checkAll();
    expect(t.asked).toHaveLength(100);
  });
});
