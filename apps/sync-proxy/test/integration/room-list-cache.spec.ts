import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeHomeserver,
  createRoomState,
  joinedRoom,
  message,
  newRoomId,
  newUser,
  syncResponse,
  testRedisUrl,
} from '@gateway/testing';
import { slidingSync, type SlidingResponse } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

const TIMINGS = { firstSyncWaitMs: 5_000, pollTimeoutMs: 1_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function windowOf(res: SlidingResponse): string[] {
  return res.body.lists?.['all']?.ops?.[0]?.room_ids ?? [];
}

// The cached room list between long-polls: a message marks only its room stale, so the next answer
// must carry that room's new counts and position while the other rooms keep theirs.
describe('the room list kept between long-polls', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('cache');
  const bob = '@bob:fake.test';
  const [a, b, c] = [newRoomId('cache-a'), newRoomId('cache-b'), newRoomId('cache-c')];
  const body = {
    conn_id: 'list',
    lists: { all: { ranges: [[0, 9]], timeline_limit: 1, required_state: [] } },
  };

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.addAccount(user.token, user.userId, user.deviceId);
    const now = Date.now();
    const room = (id: string, ts: number) =>
      joinedRoom({
        state: createRoomState(user.userId, id),
        timeline: [message(user.userId, 'hi', { origin_server_ts: ts })],
      });
    // C is the newest, then B, then A.
    fake.queue(
      user.token,
      syncResponse('s1', {
        join: { [a]: room(a, now - 3_000), [b]: room(b, now - 2_000), [c]: room(c, now - 1_000) },
      }),
    );
    proxy = await startProxy(fake.url, { SYNCV3_REDIS: testRedisUrl() }, { timings: TIMINGS });
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });

  const sync = (query: Record<string, string> = {}) => slidingSync(proxy.url, user.token, body, query);

  /** Long-polls from `pos` while the homeserver delivers `response`. */
  async function deliver(pos: string, response: ReturnType<typeof syncResponse>): Promise<SlidingResponse> {
    const live = sync({ pos, timeout: '10000' });
    await sleep(200);
    fake.queue(user.token, response);
    return live;
  }

  it('answers each message with its room’s new counts and place, keeping the other rooms', async () => {
    const first = await sync();
    expect(first.status).toBe(200);
    expect(windowOf(first)).toEqual([c, b, a]);
    expect(first.body.rooms?.[a]?.['notification_count']).toBe(0);

    const toA = message(bob, 'for a');
    const second = await deliver(
      String(first.body.pos),
      syncResponse('s2', {
        join: {
          [a]: joinedRoom({
            timeline: [toA],
            extra: { unread_notifications: { notification_count: 2, highlight_count: 1 } },
          }),
        },
      }),
    );
    expect(second.status).toBe(200);
    expect(Object.keys(second.body.rooms ?? {})).toEqual([a]);
    expect(second.body.rooms?.[a]?.timeline?.map((e) => e.event_id)).toEqual([toA.event_id]);
    expect(second.body.rooms?.[a]?.['notification_count']).toBe(2);
    expect(second.body.rooms?.[a]?.['highlight_count']).toBe(1);
    expect(windowOf(second)).toEqual([a, c, b]);
    expect(second.body.lists?.['all']?.count).toBe(3);

    // A message in another room: A keeps its place and counts from the list kept in memory.
    const toB = message(bob, 'for b');
    const third = await deliver(
      String(second.body.pos),
      syncResponse('s3', {
        join: {
          [b]: joinedRoom({
            timeline: [toB],
            extra: { unread_notifications: { notification_count: 1, highlight_count: 0 } },
          }),
        },
      }),
    );
    expect(Object.keys(third.body.rooms ?? {})).toEqual([b]);
    expect(third.body.rooms?.[b]?.['notification_count']).toBe(1);
    expect(windowOf(third)).toEqual([b, a, c]);

    // A new connection sees every room's current counts (the list is not re-read: it is current).
    const fresh = await slidingSync(proxy.url, user.token, { ...body, conn_id: 'fresh' });
    expect(fresh.body.rooms?.[a]?.['notification_count']).toBe(2);
    expect(fresh.body.rooms?.[b]?.['notification_count']).toBe(1);
    expect(fresh.body.rooms?.[c]?.['notification_count']).toBe(0);
    expect(windowOf(fresh)).toEqual([b, a, c]);
  });
});
