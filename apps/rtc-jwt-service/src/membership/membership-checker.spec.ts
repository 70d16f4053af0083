import { MatrixError } from '@gateway/matrix';
import { describe, expect, it } from 'vitest';
import { MembershipUnknownError, type JoinedSubject } from './is-joined-client';
import { MembershipChecker } from './membership-checker';
import { MembershipGate, NOT_JOINED } from './membership-gate';

function setup(cacheTtlMs = 5_000) {
  let now = 0;
  const calls: string[] = [];
  const answers = new Map<string, boolean | Error>();
  let release: (() => void) | null = null;
  let hold: Promise<void> | null = null;
  const checker = new MembershipChecker({
    cacheTtlMs,
    clock: () => now,
    isJoined: async (roomId: string, subject: JoinedSubject) => {
      const who = 'mxid' in subject ? subject.mxid : `server:${subject.serverName}`;
      calls.push(`${roomId} ${who}`);
      if (hold !== null) await hold;
      const answer = answers.get(who) ?? false;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  return {
    checker,
    calls,
    answers,
    advance: (ms: number) => (now += ms),
    pause: () => {
      hold = new Promise((r) => (release = r));
    },
    resume: () => {
      hold = null;
      release?.();
    },
  };
}

describe('MembershipChecker', () => {
  it('reuses an answer until it expires', async () => {
    const t = setup();
    t.answers.set('@a:hs', true);
    expect(await t.checker.isJoined('!r', { mxid: '@a:hs' })).toBe(true);
    t.answers.set('@a:hs', false);
    expect(await t.checker.isJoined('!r', { mxid: '@a:hs' })).toBe(true);
    t.advance(5_000);
    expect(await t.checker.isJoined('!r', { mxid: '@a:hs' })).toBe(false);
    expect(t.calls).toHaveLength(2);
  });

  it('keeps users, servers and rooms apart', async () => {
    const t = setup();
    t.answers.set('@a:hs', true);
    expect(await t.checker.isJoined('!r', { mxid: '@a:hs' })).toBe(true);
    expect(await t.checker.isJoined('!other', { mxid: '@b:hs' })).toBe(false);
    expect(await t.checker.isJoined('!r', { serverName: 'hs' })).toBe(false);
    expect(t.calls).toEqual(['!r @a:hs', '!other @b:hs', '!r server:hs']);
  });

  it('shares one request among concurrent askers', async () => {
    const t = setup(0);
    t.answers.set('@a:hs', true);
    t.pause();
    const all = Promise.all([1, 2, 3].map(() => t.checker.isJoined('!r', { mxid: '@a:hs' })));
    await new Promise((r) => setTimeout(r, 5));
    t.resume();
    expect(await all).toEqual([true, true, true]);
    expect(t.calls).toHaveLength(1);
  });

  it('asks again for a fresh answer and caches what it hears', async () => {
    const t = setup();
    t.answers.set('@a:hs', true);
    await t.checker.isJoined('!r', { mxid: '@a:hs' });
    t.answers.set('@a:hs', false);
    expect(await t.checker.isJoined('!r', { mxid: '@a:hs' }, true)).toBe(false);
    expect(await t.checker.isJoined('!r', { mxid: '@a:hs' })).toBe(false);
    expect(t.calls).toHaveLength(2);
  });

  it('never caches a failure', async () => {
    const t = setup();
    t.answers.set('@a:hs', new MembershipUnknownError('down'));
    await expect(t.checker.isJoined('!r', { mxid: '@a:hs' })).rejects.toThrow('down');
    t.answers.set('@a:hs', true);
    expect(await t.checker.isJoined('!r', { mxid: '@a:hs' })).toBe(true);
  });
});

describe('MembershipGate', () => {
  it('refuses a non-member with 403 M_FORBIDDEN and lets a member through', async () => {
    const t = setup();
    t.answers.set('@a:hs', true);
    const gate = new MembershipGate(t.checker, ['hs']);
    await expect(gate.requireJoined('!r', '@a:hs')).resolves.toBeUndefined();
    const refused = await gate.requireJoined('!r', '@b:hs').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MatrixError);
    expect(refused).toMatchObject({ errcode: 'M_FORBIDDEN', status: 403, message: NOT_JOINED });
  });

  it('answers 502 M_UNKNOWN when the homeserver cannot say', async () => {
    const t = setup();
    t.answers.set('@a:hs', new MembershipUnknownError('is_joined answered 403 M_FORBIDDEN'));
    await expect(new MembershipGate(t.checker, ['hs']).requireJoined('!r', '@a:hs')).rejects.toMatchObject({
      errcode: 'M_UNKNOWN',
      status: 502,
      message: 'Unable to check room membership',
    });
  });

  it('finds a full-access server in the room by name; `*` names none', async () => {
    const t = setup();
    t.answers.set('server:b.example', true);
    expect(await new MembershipGate(t.checker, ['a.example', 'b.example']).hasFullAccessMember('!r')).toBe(
      true,
    );
    expect(await new MembershipGate(t.checker, ['a.example']).hasFullAccessMember('!r')).toBe(false);
    const before = t.calls.length;
    expect(await new MembershipGate(t.checker, ['*']).hasFullAccessMember('!r')).toBe(false);
    expect(t.calls.length).toBe(before);
  });
});
