import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeHomeserver, joinedRoom, message, newRoomId, newUser, syncResponse } from '@gateway/testing';
import { slidingSync } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// The thread subscriptions extension (MSC4308) when the homeserver's companion endpoint misbehaves: the
// rest of the answer is never lost, nothing of a bad answer is passed on, and the connection's position
// in the homeserver's stream only moves past changes the client was given. (What Synapse answers is
// compared in test/contract/thread-subscriptions.contract.spec.ts.)
const EXT = 'io.element.msc4308.thread_subscriptions';
const COMPANION = '/_matrix/client/unstable/io.element.msc4308/thread_subscriptions';

describe('thread subscriptions extension against a failing homeserver', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('threads');
  const roomId = newRoomId('threads');
  const body = (connId: string) => ({
    conn_id: connId,
    lists: { all: { ranges: [[0, 9]], timeline_limit: 5, required_state: [] } },
    extensions: { [EXT]: { enabled: true, limit: 3 }, typing: { enabled: true } },
  });
  const companionCalls = () => fake.requests.filter((r) => r.path === COMPANION);

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.addAccount(user.token, user.userId, user.deviceId);
    fake.queue(
      user.token,
      syncResponse('s1', { join: { [roomId]: joinedRoom({ timeline: [message(user.userId, 'hi')] }) } }),
    );
    proxy = await startProxy(fake.url, {}, { timings: { firstSyncWaitMs: 5_000, pollTimeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });
  beforeEach(() => {
    fake.unscript();
  });

  it('a 500 leaves the extension out, not the rooms; the position moves only past changes given', async () => {
    fake.script('GET', COMPANION, { status: 500, json: { errcode: 'M_UNKNOWN', error: 'boom' } }, 1);
    const first = await slidingSync(proxy.url, user.token, body('c500'));
    expect(first.status).toBe(200);
    expect(Object.keys(first.body.rooms ?? {})).toEqual([roomId]);
    expect(first.body.extensions).toEqual({ typing: { rooms: {} } });

    fake.script('GET', COMPANION, {
      json: { subscribed: { [roomId]: { $root: { automatic: false, bump_stamp: 7 } } } },
    });
    const next = await slidingSync(proxy.url, user.token, body('c500'), { pos: first.body.pos ?? '' });
    expect(next.status).toBe(200);
    expect(next.body.extensions?.[EXT]).toEqual({
      subscribed: { [roomId]: { $root: { automatic: false, bump_stamp: 7 } } },
    });
    // Asked from the beginning both times (the failure moved nothing), as the user, for `limit` changes.
    const [failed, read] = companionCalls().slice(-2);
    expect(Object.fromEntries(failed?.query ?? [])).toEqual({ dir: 'b', limit: '3' });
    expect(Object.fromEntries(read?.query ?? [])).toEqual({ dir: 'b', limit: '3' });
    expect(read?.headers.authorization).toBe(`Bearer ${user.token}`);

    // The following read starts after the change the client was given, and `end` becomes prev_batch
    // with the start of the gap added.
    fake.script('GET', COMPANION, {
      json: {
        unsubscribed: { [roomId]: { $root: { bump_stamp: 12 } } },
        subscribed: {
          [roomId]: { $a: { automatic: true, bump_stamp: 10 }, $b: { automatic: false, bump_stamp: 11 } },
        },
        end: 'ts9',
      },
    });
    const third = await slidingSync(proxy.url, user.token, body('c500'), { pos: next.body.pos ?? '' });
    expect(Object.fromEntries(companionCalls().at(-1)?.query ?? [])).toEqual({
      dir: 'b',
      limit: '3',
      to: 'ts7',
    });
    expect(third.body.extensions?.[EXT]).toEqual({
      subscribed: {
        [roomId]: { $a: { automatic: true, bump_stamp: 10 }, $b: { automatic: false, bump_stamp: 11 } },
      },
      unsubscribed: { [roomId]: { $root: { bump_stamp: 12 } } },
      // The gap runs from where the connection was (7) to Synapse's `end`.
      prev_batch: 'ts9.7',
    });

    // Answers without the extension (a grown timeline_limit makes one) keep the position for later.
    const off = await slidingSync(
      proxy.url,
      user.token,
      { conn_id: 'c500', lists: { all: { ranges: [[0, 9]], timeline_limit: 6, required_state: [] } } },
      { pos: third.body.pos ?? '' },
    );
    expect(off.body.pos).not.toBe(third.body.pos);
    expect(off.body.extensions).toEqual({});
    const calls = companionCalls().length;
    fake.script('GET', COMPANION, { json: {} });
    const on = await slidingSync(proxy.url, user.token, body('c500'), { pos: off.body.pos ?? '' });
    expect(on.status).toBe(200);
    expect(companionCalls().length).toBe(calls + 1);
    expect(Object.fromEntries(companionCalls().at(-1)?.query ?? [])).toEqual({
      dir: 'b',
      limit: '3',
      to: 'ts12',
    });
  });

  it('a malformed answer is not passed on', async () => {
    for (const [i, json] of [
      { subscribed: { [roomId]: { $x: { automatic: 'yes', bump_stamp: 3 } } } },
      { subscribed: { [roomId]: { $x: { automatic: true, bump_stamp: '3' } } } },
      { unsubscribed: [] },
      { subscribed: {}, end: 5 },
    ].entries()) {
      fake.script('GET', COMPANION, { json }, 1);
      const answer = await slidingSync(proxy.url, user.token, body(`bad-${String(i)}`));
      expect(answer.status, JSON.stringify(json)).toBe(200);
      expect(Object.keys(answer.body.rooms ?? {})).toEqual([roomId]);
      expect(answer.body.extensions?.[EXT], JSON.stringify(json)).toBeUndefined();
    }
  });

  it('a homeserver without MSC4306 (404 M_UNRECOGNIZED) is not asked again for a while', async () => {
    fake.script('GET', COMPANION, {
      status: 404,
      json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized' },
    });
    const before = companionCalls().length;
    const first = await slidingSync(proxy.url, user.token, body('no-msc'));
    const again = await slidingSync(proxy.url, user.token, body('no-msc'), { pos: first.body.pos ?? '' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(first.body.extensions?.[EXT]).toBeUndefined();
    expect(again.body.extensions?.[EXT]).toBeUndefined();
    expect(companionCalls().length - before).toBe(1);
  });
});
