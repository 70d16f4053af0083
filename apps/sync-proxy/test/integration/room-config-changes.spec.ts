import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHomeserver, joinedRoom, message, newRoomId, newUser, syncResponse } from '@gateway/testing';
import { slidingSync, stableSync } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// What a continuing connection is sent when its room configs change (MSC4186 "Changing room configs")
// or a room first enters its window: the corners issue 15 lists, each failing on the old behaviour.
describe('room config changes on a continuing connection', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('cfg');
  const rooms = [newRoomId('cfg-a'), newRoomId('cfg-b')];

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.addAccount(user.token, user.userId, user.deviceId);
    const join = Object.fromEntries(
      rooms.map((roomId, r) => [
        roomId,
        joinedRoom({
          timeline: Array.from({ length: 5 }, (_, i) => message(user.userId, `m${String(r)}.${String(i)}`)),
          extra: {
            account_data: { events: [{ type: 'm.fully_read', content: { event_id: `$read${String(r)}` } }] },
          },
        }),
      ]),
    );
    fake.queue(user.token, syncResponse('s1', { join }));
    proxy = await startProxy(fake.url, {}, { timings: { firstSyncWaitMs: 5_000, pollTimeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });

  const list = (timelineLimit: number, end = 1) => ({
    all: { ranges: [[0, end]], timeline_limit: timelineLimit, required_state: [['m.room.create', '']] },
  });

  it('re-sends the latest events flagged as an expanded timeline when timeline_limit grows', async () => {
    const first = await slidingSync(proxy.url, user.token, { conn_id: 'grow', lists: list(1) });
    expect(first.status).toBe(200);
    for (const id of rooms) expect(first.body.rooms?.[id]?.timeline).toHaveLength(1);
    const grown = await slidingSync(
      proxy.url,
      user.token,
      { conn_id: 'grow', lists: list(3) },
      { pos: String(first.body.pos), timeout: '0' },
    );
    for (const id of rooms) {
      const room = grown.body.rooms?.[id];
      // Before: the room came again as `initial` (all of it, as if new) and without the flag.
      expect(room?.['unstable_expanded_timeline'], id).toBe(true);
      expect(room?.['initial'], id).toBeUndefined();
      expect(room?.timeline?.map((e) => e.event_id)).toHaveLength(3);
      expect(room?.timeline?.at(-1)?.event_id).toBe(first.body.rooms?.[id]?.timeline?.[0]?.event_id);
      // Nothing happened since: no event is live.
      expect(room?.['num_live'], id).toBe(0);
    }
    // The same limit again: nothing to send.
    const same = await slidingSync(
      proxy.url,
      user.token,
      { conn_id: 'grow', lists: list(3) },
      { pos: String(grown.body.pos), timeout: '0' },
    );
    expect(same.body.rooms).toEqual({});
  });

  it('names the flag expanded_timeline on the stable endpoint', async () => {
    const body = (limit: number) => ({
      conn_id: 'grow-v4',
      lists: { all: { range: [0, 1], timeline_limit: limit, required_state: {} } },
    });
    const first = await stableSync(proxy.url, user.token, body(1));
    const grown = await stableSync(proxy.url, user.token, { ...body(4), pos: first.body.pos });
    for (const id of rooms) {
      expect(grown.body.rooms?.[id]).toMatchObject({ expanded_timeline: true });
      expect(grown.body.rooms?.[id]).not.toHaveProperty('unstable_expanded_timeline');
      expect(grown.body.rooms?.[id]?.timeline).toHaveLength(4);
    }
  });

  it('sends a room’s account data when the room first enters the window', async () => {
    const body = (end: number) => ({
      conn_id: 'window',
      lists: list(1, end),
      extensions: { account_data: { enabled: true } },
    });
    type AccountData = { rooms?: Record<string, { type: string; content: unknown }[]> };
    const first = await slidingSync(proxy.url, user.token, body(0));
    const [top] = Object.keys(first.body.rooms ?? {});
    const other = rooms.find((id) => id !== top) ?? '';
    expect(Object.keys((first.body.extensions?.['account_data'] as AccountData).rooms ?? {})).toEqual([top]);
    const grown = await slidingSync(proxy.url, user.token, body(1), {
      pos: String(first.body.pos),
      timeout: '0',
    });
    expect(Object.keys(grown.body.rooms ?? {})).toEqual([other]);
    // Before: only account data changed since the last answer, so nothing for the entering room.
    const data = (grown.body.extensions?.['account_data'] as AccountData).rooms ?? {};
    expect(Object.keys(data)).toEqual([other]);
    expect(data[other]).toEqual([
      { type: 'm.fully_read', content: { event_id: `$read${String(rooms.indexOf(other))}` } },
    ]);
  });
});
