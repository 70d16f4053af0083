import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type Synapse } from '@gateway/testing';
import { TestClient, slidingSync, stableSync, type SlidingResponse } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// The same request sequence to the proxy and to Synapse 1.160's native sliding sync while a scenario
// unfolds (renames, a leave, receipts, typing, account data, a gap). Each side keeps its own pos chain;
// after every step both answers are compared. What may differ is listed in apps/sync-proxy/README.md
// ("Differences from Synapse") and nowhere else: pos, bump_stamp values, computed names, counts.
// This Synapse runs without msc4306, so the thread subscriptions extension (MSC4308) is asked for and
// must be absent on both sides (with msc4306: thread-subscriptions.contract.spec.ts).
const THREADS = 'io.element.msc4308.thread_subscriptions';
const BODY = {
  conn_id: 'diff',
  lists: {
    all: {
      ranges: [[0, 19]],
      timeline_limit: 3,
      required_state: [
        ['m.room.name', ''],
        ['m.room.topic', ''],
        ['m.room.avatar', ''],
        ['m.room.member', '$LAZY'],
        ['m.room.member', '$ME'],
        ['m.room.create', ''],
      ],
    },
  },
  extensions: {
    account_data: { enabled: true },
    receipts: { enabled: true },
    typing: { enabled: true },
    [THREADS]: { enabled: true },
  },
};

/**
 * BODY in the stable API's shape (MSC4186 as merged), for the proxy's `/v4/sync`: one `range`,
 * `required_state` as `{include, lazy_members}` (`$ME` becomes the user's own id).
 */
function stableBody(userId: string) {
  const all = BODY.lists.all;
  return {
    conn_id: 'diff-v4',
    lists: {
      all: {
        range: all.ranges[0],
        timeline_limit: all.timeline_limit,
        required_state: {
          include: [
            { type: 'm.room.name', state_key: '' },
            { type: 'm.room.topic', state_key: '' },
            { type: 'm.room.avatar', state_key: '' },
            { type: 'm.room.member', state_key: userId },
            { type: 'm.room.create', state_key: '' },
          ],
          lazy_members: true,
        },
      },
    },
    extensions: BODY.extensions,
  };
}

/**
 * An unstable answer as the stable API states it (the proposal's changelog): lists carry only `count`;
 * rooms lose the unread counts, gain the names of the lists they are in, and rename `invite_state` and
 * `unstable_expanded_timeline`. `pos` is each connection's own.
 */
function asStable(body: SlidingResponse['body']): Record<string, unknown> {
  const lists: Record<string, unknown> = {};
  const listsOf = new Map<string, string[]>();
  for (const [name, list] of Object.entries(body.lists ?? {})) {
    lists[name] = { count: list.count };
    for (const op of list.ops ?? [])
      for (const id of op.room_ids) listsOf.set(id, [...(listsOf.get(id) ?? []), name]);
  }
  const rooms: Record<string, unknown> = {};
  for (const [id, room] of Object.entries(body.rooms ?? {})) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(room)) {
      if (key === 'notification_count' || key === 'highlight_count') continue;
      if (key === 'invite_state') out['stripped_state'] = value;
      else if (key === 'unstable_expanded_timeline') out['expanded_timeline'] = value;
      else out[key] = value;
    }
    const names = listsOf.get(id);
    if (names !== undefined) out['lists'] = names;
    rooms[id] = out;
  }
  return { lists, rooms, extensions: body.extensions ?? {} };
}

/** A stable answer without `pos` and `membership` (which the unstable API does not have). */
function stableView(body: SlidingResponse['body']): Record<string, unknown> {
  const rooms: Record<string, unknown> = {};
  for (const [id, room] of Object.entries(body.rooms ?? {})) {
    const { membership: _m, ...rest } = room;
    rooms[id] = rest;
  }
  return { lists: body.lists, rooms, extensions: body.extensions };
}

type Room = Record<string, unknown> & { timeline?: { event_id: string }[] };

/** The comparable view of an answer: everything but the allowed differences. */
function view(r: SlidingResponse) {
  const rooms: Record<string, unknown> = {};
  for (const [id, room] of Object.entries((r.body.rooms ?? {}) as Record<string, Room>)) {
    rooms[id] = {
      timeline: (room.timeline ?? []).map((e) => e.event_id),
      required_state: (
        (room['required_state'] ?? []) as { type: string; state_key: string; event_id: string }[]
      )
        .map((e) => `${e.type}|${e.state_key}|${e.event_id}`)
        .sort(),
      limited: room['limited'],
      initial: room['initial'],
      joined_count: room['joined_count'],
      invited_count: room['invited_count'],
      num_live: room['num_live'],
      // Synapse sends `name` only from m.room.name (the scenario's rooms all have one).
      name: room['name'],
      avatar: room['avatar'],
    };
  }
  const ext = r.body.extensions ?? {};
  const typing = (ext['typing']?.['rooms'] ?? {}) as Record<string, { content: { user_ids: string[] } }>;
  return {
    lists: r.body.lists?.['all']?.ops?.map((o) => o.room_ids),
    count: r.body.lists?.['all']?.count,
    rooms,
    account_data: normaliseAccountData(ext['account_data']),
    receipts: ext['receipts']?.['rooms'] ?? {},
    typing: Object.fromEntries(Object.entries(typing).map(([id, t]) => [id, [...t.content.user_ids].sort()])),
  };
}

function normaliseAccountData(value: Record<string, unknown> | undefined) {
  const global = ((value?.['global'] ?? []) as { type: string }[]).map((e) => e.type).sort();
  const rooms = (value?.['rooms'] ?? {}) as Record<string, { type: string; content: unknown }[]>;
  return {
    global,
    // Synapse lists every room in scope, with [] when it has nothing; an absent room means the same.
    rooms: Object.fromEntries(
      Object.entries(rooms)
        .filter(([, list]) => list.length > 0)
        .map(([id, list]) => [id, list.map((e) => [e.type, e.content])]),
    ),
  };
}

describe('differential: the proxy against Synapse native, step by step', () => {
  let synapse: Synapse;
  let proxy: ProxyUnderTest;
  let alice: TestClient;
  let bob: TestClient;
  let aliceP: TestClient & { deviceId: string };
  let aliceN: TestClient & { deviceId: string };
  let general: string;
  let side: string;
  let posP: string | undefined;
  let posN: string | undefined;
  let posS: string | undefined;
  let bobPassword: string;

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    bobPassword = b.password;
    alice = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    general = await alice.createRoom({ preset: 'public_chat', name: 'General' });
    await bob.join(general);
    side = await bob.createRoom({ preset: 'public_chat', name: 'Side' });
    await alice.join(side);
    await bob.send(side, 'side message');
    for (let i = 0; i < 5; i++) await bob.send(general, `hello ${String(i)}`);
    aliceP = await TestClient.login(synapse.baseUrl, a.userId, a.password);
    aliceN = await TestClient.login(synapse.baseUrl, a.userId, a.password);
    proxy = await startProxy(synapse.baseUrl);
  }, 120_000);

  afterAll(async () => {
    await proxy.stop();
    await synapse.stop();
  });

  let barrierPos: string | undefined;
  let sideLeft = false;

  /**
   * One step on both sides. The proxy learns of events through its poller, so a separate barrier
   * connection waits until the step's effect is visible; then both sides get the compared request.
   */
  async function step(ready: (r: SlidingResponse) => boolean) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const barrier = await slidingSync(
        proxy.url,
        aliceP.accessToken,
        { ...BODY, conn_id: 'barrier' },
        barrierPos === undefined ? {} : { pos: barrierPos, timeout: '2000' },
      );
      expect(barrier.status, JSON.stringify(barrier.body)).toBe(200);
      barrierPos = barrier.body.pos;
      if (ready(barrier) || Date.now() > deadline) break;
    }
    const ours = await slidingSync(
      proxy.url,
      aliceP.accessToken,
      BODY,
      posP === undefined ? {} : { pos: posP },
    );
    // The same step through the stable endpoint, on a connection of its own, right after the unstable one.
    const stable = await stableSync(proxy.url, aliceP.accessToken, {
      ...stableBody(aliceP.userId),
      ...(posS === undefined ? {} : { pos: posS }),
    });
    const theirs = await slidingSync(
      synapse.baseUrl,
      aliceN.accessToken,
      BODY,
      posN === undefined ? {} : { pos: posN },
    );
    expect(ours.status, JSON.stringify(ours.body)).toBe(200);
    expect(theirs.status).toBe(200);
    expect(stable.status, JSON.stringify(stable.body)).toBe(200);
    posP = ours.body.pos;
    posN = theirs.body.pos;
    posS = stable.body.pos;
    expect(theirs.body.extensions?.[THREADS]).toBeUndefined();
    expect(ours.body.extensions?.[THREADS]).toBeUndefined();
    // Field by field, the stable answer is the unstable one translated.
    expect(stableView(stable.body)).toEqual(asStable(ours.body));
    for (const [id, room] of Object.entries(stable.body.rooms ?? {}))
      expect(room['membership'], id).toBe(id === side && sideLeft ? 'leave' : 'join');
    return { ours: view(ours), theirs: view(theirs) };
  }

  const hasEvent = (roomId: string, eventId: string) => (r: SlidingResponse) =>
    (r.body.rooms?.[roomId]?.timeline ?? []).some((e) => e.event_id === eventId);

  it('initial', async () => {
    const { ours, theirs } = await step(() => true);
    expect(ours).toEqual(theirs);
  });

  it('a message, then a rename and a topic', async () => {
    const m = await bob.send(general, 'one more');
    let d = await step(hasEvent(general, m));
    expect(d.ours).toEqual(d.theirs);
    await alice.state(general, 'm.room.name', '', { name: 'General chat' });
    const t = await alice.state(general, 'm.room.topic', '', { topic: 'all things' });
    d = await step(hasEvent(general, t));
    expect(d.ours).toEqual(d.theirs);
  });

  it('an avatar', async () => {
    const a = await alice.state(general, 'm.room.avatar', '', { url: 'mxc://localhost/avatar' });
    const d = await step(hasEvent(general, a));
    expect(d.ours).toEqual(d.theirs);
    expect(d.ours.rooms[general]).toMatchObject({ avatar: 'mxc://localhost/avatar' });
  });

  it('a gap longer than the timeline limit', async () => {
    let last = '';
    for (let i = 0; i < 8; i++) last = await bob.send(side, `burst ${String(i)}`);
    const d = await step(hasEvent(side, last));
    expect(d.ours).toEqual(d.theirs);
  });

  it('room account data (a tag) and a read receipt', async () => {
    await alice.call(
      'PUT',
      `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/rooms/${encodeURIComponent(general)}/tags/u.work`,
      { order: 0.5 },
    );
    const m = await bob.send(general, 'read me');
    await bob.call(
      'POST',
      `/_matrix/client/v3/rooms/${encodeURIComponent(general)}/receipt/m.read/${encodeURIComponent(m)}`,
      {},
    );
    const d = await step((r) => Object.keys(r.body.extensions?.['receipts']?.['rooms'] ?? {}).length > 0);
    expect(d.ours).toEqual(d.theirs);
  });

  it('typing', async () => {
    await bob.call(
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(general)}/typing/${encodeURIComponent(bob.userId)}`,
      {
        typing: true,
        timeout: 30_000,
      },
    );
    const d = await step((r) => Object.keys(r.body.extensions?.['typing']?.['rooms'] ?? {}).length > 0);
    expect(d.ours).toEqual(d.theirs);
  });

  it('alice leaves a room', async () => {
    await alice.leave(side);
    sideLeft = true;
    const d = await step((r) => r.body.rooms?.[side] !== undefined);
    expect(d.ours).toEqual(d.theirs);
  });

  it('the answer after the leave no longer lists the room', async () => {
    const m = await bob.send(general, 'after the leave');
    const d = await step(hasEvent(general, m));
    expect(d.ours).toEqual(d.theirs);
    expect(d.ours.lists?.[0]).not.toContain(side);
  });

  it('a room left, and one kicked from, show their state as of the leave, not what members did since', async () => {
    // Bob syncs through the proxy too, so his poller stores what happens in the rooms after alice is gone.
    const bobP = await TestClient.login(synapse.baseUrl, bob.userId, bobPassword);
    const kicked = await bob.createRoom({ preset: 'public_chat', name: 'Kicked' });
    await alice.join(kicked);
    await bob.call('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(kicked)}/kick`, {
      user_id: alice.userId,
      reason: 'test',
    });
    const carol = await synapse.registerUser('carol');
    const carolC = new TestClient(synapse.baseUrl, carol.accessToken, carol.userId);
    let last = '';
    for (const room of [side, kicked]) {
      await bob.state(room, 'm.room.name', '', { name: 'Renamed after alice' });
      await bob.state(room, 'm.room.topic', '', { topic: 'not for alice' });
      await carolC.join(room);
      last = await bob.send(room, 'said after alice');
    }
    // Wait until bob's poller has stored the last of it.
    const deadline = Date.now() + 15_000;
    let bobPos: string | undefined;
    for (;;) {
      const r = await slidingSync(
        proxy.url,
        bobP.accessToken,
        { conn_id: 'bob', lists: { all: { ranges: [[0, 19]], timeline_limit: 1 } } },
        bobPos === undefined ? {} : { pos: bobPos, timeout: '2000' },
      );
      expect(r.status).toBe(200);
      bobPos = r.body.pos;
      if (hasEvent(kicked, last)(r) || Date.now() > deadline) break;
    }
    // A fresh connection on each side: the kicked room in the list, the left one by subscription.
    const fresh = {
      conn_id: 'after-leave',
      lists: { all: { ...BODY.lists.all, required_state: [['*', '*']] } },
      room_subscriptions: { [side]: { required_state: [['*', '*']], timeline_limit: 3 } },
    };
    const ours = await slidingSync(proxy.url, aliceP.accessToken, fresh);
    const theirs = await slidingSync(synapse.baseUrl, aliceN.accessToken, fresh);
    expect(ours.status, JSON.stringify(ours.body)).toBe(200);
    expect(theirs.status).toBe(200);
    const o = view(ours);
    const t = view(theirs);
    for (const room of [side, kicked]) {
      expect(o.rooms[room], room).toBeDefined();
      expect(o.rooms[room], room).toEqual(t.rooms[room]);
      const state = (ours.body.rooms?.[room]?.['required_state'] ?? []) as {
        type: string;
        state_key: string;
        content: Record<string, unknown>;
      }[];
      expect(state.find((e) => e.type === 'm.room.name')?.content['name'], room).not.toBe(
        'Renamed after alice',
      );
      expect(
        state.some((e) => e.type === 'm.room.topic'),
        room,
      ).toBe(false);
      expect(
        state.some((e) => e.state_key === carol.userId),
        room,
      ).toBe(false);
      expect(ours.body.rooms?.[room]?.['name'], room).not.toBe('Renamed after alice');
    }
  });
});
