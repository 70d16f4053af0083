import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHomeserver, joinedRoom, message, newRoomId, newUser, syncResponse } from '@gateway/testing';
import { slidingSync } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// Connection positions as a client sees them: a retry after a lost answer, concurrent requests on one
// connection, and a connection replaced by a new one with the same conn_id.
describe('sliding-sync connections', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('conn');
  const roomId = newRoomId('conn');
  const body = {
    conn_id: 'c',
    lists: { all: { ranges: [[0, 9]], timeline_limit: 5, required_state: [] } },
  };

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

  const sync = (query: Record<string, string> = {}) => slidingSync(proxy.url, user.token, body, query);

  it('recomputes a lost answer when the client retries with the previous pos', async () => {
    const first = await sync();
    expect(Object.keys(first.body.rooms ?? {})).toEqual([roomId]);
    // The answer to this request is "lost": the client never uses its pos.
    const lost = await sync({ pos: String(first.body.pos), timeout: '0' });
    expect(lost.status).toBe(200);
    fake.queue(
      user.token,
      syncResponse('s2', { join: { [roomId]: joinedRoom({ timeline: [message(user.userId, 'again')] }) } }),
    );
    await fake.waitForSince(user.token, 's2');
    const retried = await sync({ pos: String(first.body.pos), timeout: '0' });
    expect(retried.status).toBe(200);
    expect(retried.body.rooms?.[roomId]?.timeline?.length).toBe(1);
    // The retried answer's pos continues; the lost one's no longer exists.
    expect((await sync({ pos: String(retried.body.pos), timeout: '0' })).status).toBe(200);
    const stale = await sync({ pos: String(lost.body.pos), timeout: '0' });
    expect(stale.body.errcode === undefined || stale.body.errcode === 'M_UNKNOWN_POS').toBe(true);
  });

  it('answers concurrent requests on one connection without errors', async () => {
    const start = await sync();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => sync({ pos: String(start.body.pos), timeout: '0' })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('forgets a connection replaced by a new one with the same conn_id', async () => {
    const old = await sync();
    await sync();
    const r = await sync({ pos: String(old.body.pos), timeout: '0' });
    expect({ status: r.status, errcode: r.body.errcode }).toEqual({ status: 400, errcode: 'M_UNKNOWN_POS' });
  });
});
