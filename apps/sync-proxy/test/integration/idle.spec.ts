import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, type DataSource } from '@gateway/db';
import { FakeHomeserver, joinedRoom, message, newRoomId, newUser, syncResponse } from '@gateway/testing';
import { slidingSync } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// A device nobody syncs any more stops costing an upstream long-poll, and picks up where it left off
// when its client comes back.
describe('idle devices', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  let db: DataSource;
  const user = newUser('idle');
  const roomId = newRoomId('idle');
  const body = { conn_id: 'i', lists: { all: { ranges: [[0, 9]], timeline_limit: 5, required_state: [] } } };

  beforeAll(async () => {
    fake = await FakeHomeserver.start({ minHoldMs: 200 });
    fake.addAccount(user.token, user.userId, user.deviceId);
    fake.queue(
      user.token,
      syncResponse('s1', { join: { [roomId]: joinedRoom({ timeline: [message(user.userId, 'hi')] }) } }),
    );
    proxy = await startProxy(
      fake.url,
      {},
      {
        timings: {
          idleAfterMs: 1_500,
          renewEveryMs: 300,
          leaseMs: 2_000,
          pollTimeoutMs: 500,
          firstSyncWaitMs: 5_000,
        },
      },
    );
    db = createDataSource({ url: proxy.databaseUrl, entities: [], migrations: [] });
    await db.initialize();
  });
  afterAll(async () => {
    await db.destroy();
    await proxy.stop();
    await fake.stop();
  });

  const pollsOf = () => fake.syncs.filter((s) => s.token === user.token).length;

  it('stops polling an idle device and resumes from its since when the client returns', async () => {
    const first = await slidingSync(proxy.url, user.token, body);
    expect(first.status).toBe(200);
    await new Promise((r) => setTimeout(r, 3_000));
    const state = await db.query<{ poll_state: string; since: string }[]>(
      'SELECT poll_state, since FROM sync_devices WHERE user_id = $1',
      [user.userId],
    );
    expect(state[0]).toEqual({ poll_state: 'idle', since: 's1' });
    const before = pollsOf();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(pollsOf()).toBe(before); // no long-poll for an idle device

    const back = await slidingSync(proxy.url, user.token, body, {
      pos: String(first.body.pos),
      timeout: '0',
    });
    expect(back.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const resumed = fake.syncs.filter((s) => s.token === user.token).slice(before);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0]?.since).toBe('s1');
  });
});
