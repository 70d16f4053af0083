import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import {
  FakeHomeserver,
  createRoomState,
  joinedRoom,
  message,
  newRoomId,
  newUser,
  syncResponse,
} from '@gateway/testing';
import { WaiterIndex } from '../../src/wake/waiter-index';
import { slidingSync, stableSync, type SlidingResponse } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// An idle client long-polls again with the pos it was just given and the same body: that answer is
// already known, so the proxy waits for news at once instead of computing it again (at 10,000 rooms
// each computation costs tens of ms of CPU and a pooled connection; bench/sync's 10,000 long-polls of
// one user never got established). Anything else must still be computed, and nothing may be missed.
describe('the long-poll of an idle client', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('shortcut');
  const bob = '@bob:fake.test';
  const [older, newer] = [newRoomId('older'), newRoomId('newer')];
  const unstable = (ranges: number[][]) => ({
    conn_id: 'u',
    txn_id: 'first',
    lists: { all: { ranges, timeline_limit: 1, required_state: [] } },
  });
  const stable = (pos?: string) => ({
    conn_id: 's',
    ...(pos === undefined ? {} : { pos, timeout: 10_000 }),
    lists: { all: { range: [0, 9], timeline_limit: 1, required_state: {} } },
  });

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.addAccount(user.token, user.userId, user.deviceId);
    const now = Date.now();
    const room = (id: string, ts: number) =>
      joinedRoom({
        state: createRoomState(user.userId, id),
        timeline: [message(user.userId, 'hi', { origin_server_ts: ts })],
      });
    fake.queue(
      user.token,
      syncResponse('s1', { join: { [older]: room(older, now - 2_000), [newer]: room(newer, now - 1_000) } }),
    );
    // One pooled connection, so a test can hold all of them.
    proxy = await startProxy(
      fake.url,
      { SYNCV3_MAX_DB_CONN: '1' },
      { timings: { firstSyncWaitMs: 5_000, pollTimeoutMs: 1_000 } },
    );
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });

  const longPoll = (pos: string, body: unknown) =>
    slidingSync(proxy.url, user.token, body, { pos, timeout: '10000' });
  const waiting = () => proxy.app.get(WaiterIndex).size;
  /** Polls `check` every 20 ms for up to `ms`. */
  async function eventually(check: () => boolean, ms = 3_000): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (check()) return true;
    return check();
  }
  /** Delivers a message from bob to `roomId` through the proxy's poller. */
  const send = (since: string, roomId: string, text: string): void => {
    fake.queue(
      user.token,
      syncResponse(since, { join: { [roomId]: joinedRoom({ timeline: [message(bob, text)] }) } }),
    );
  };
  const texts = (res: SlidingResponse, roomId: string) =>
    (res.body.rooms?.[roomId]?.['timeline'] as { content: { body: string } }[] | undefined)?.map(
      (e) => e.content.body,
    );

  it('waits without a database connection, on both APIs, and is answered by the next message', async () => {
    const first = await slidingSync(proxy.url, user.token, unstable([[0, 0]]));
    expect(first.status).toBe(200);
    const firstStable = await stableSync(proxy.url, user.token, stable());
    expect(firstStable.status).toBe(200);
    // The pool's one connection is busy for 3 s: a long-poll that computed first would queue for it.
    const held = proxy.app.get(Database).dataSource.query('SELECT pg_sleep(3)');
    await sleep(100);
    // A new txn_id is only echoed: the request is still the one answered.
    const live = longPoll(String(first.body.pos), { ...unstable([[0, 0]]), txn_id: 'second' });
    const liveStable = stableSync(proxy.url, user.token, stable(String(firstStable.body.pos)));
    expect(await eventually(() => waiting() === 2, 2_000)).toBe(true);
    await held;
    send('s2', newer, 'news');
    const [answer, answerStable] = await Promise.all([live, liveStable]);
    expect(answer.status).toBe(200);
    expect(answer.body['txn_id']).toBe('second');
    expect(texts(answer, newer)).toEqual(['news']);
    expect(texts(answerStable, newer)).toEqual(['news']);
  }, 20_000);

  it('computes a changed request at once: a wider range is answered with the room it adds', async () => {
    const first = await slidingSync(proxy.url, user.token, { ...unstable([[0, 0]]), conn_id: 'wider' });
    expect(Object.keys(first.body.rooms ?? {})).toEqual([newer]);
    const started = Date.now();
    const wider = await longPoll(String(first.body.pos), { ...unstable([[0, 1]]), conn_id: 'wider' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Object.keys(wider.body.rooms ?? {})).toEqual([older]);
  }, 20_000);

  it('answers at once what arrived between the answer and the next long-poll', async () => {
    const first = await slidingSync(proxy.url, user.token, { ...unstable([[0, 1]]), conn_id: 'between' });
    expect(first.status).toBe(200);
    const before = proxy.app.get(WaiterIndex).position;
    send('s3', older, 'meanwhile');
    expect(await eventually(() => proxy.app.get(WaiterIndex).position > before)).toBe(true);
    const started = Date.now();
    const next = await longPoll(String(first.body.pos), { ...unstable([[0, 1]]), conn_id: 'between' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(texts(next, older)).toEqual(['meanwhile']);
  }, 20_000);
});
