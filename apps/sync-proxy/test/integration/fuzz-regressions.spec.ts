import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHomeserver, newUser, syncResponse } from '@gateway/testing';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

const SYNC = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

// Found by the security tier: requests of one connection waited for each other's row lock in Postgres
// while each held a pooled database connection, so one client sending more at once than the pool has
// connections (10) starved everyone, whose requests failed with a 500 after the pool's connect timeout.
describe('many requests of one connection at once', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const greedy = newUser('greedy');
  const other = newUser('other');

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    for (const user of [greedy, other]) {
      fake.addAccount(user.token, user.userId, user.deviceId);
      fake.queue(user.token, syncResponse('s1', {}));
    }
    proxy = await startProxy(fake.url, {}, { timings: { firstSyncWaitMs: 2_000, pollTimeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });

  const sync = (token: string, connId: string) =>
    fetch(`${proxy.url}${SYNC}?timeout=0`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ conn_id: connId, lists: { all: { ranges: [[0, 9]], timeline_limit: 1 } } }),
    }).then(async (res) => ({ status: res.status, body: await res.text() }));

  it('answers all of them, and other users meanwhile, without a 5xx', async () => {
    // Warm up both users (the first request waits for the first poll).
    expect((await sync(greedy.token, 'warm')).status).toBe(200);
    expect((await sync(other.token, 'warm')).status).toBe(200);
    const burst = Array.from({ length: 40 }, () => sync(greedy.token, 'same'));
    const bystander = sync(other.token, 'mine');
    const answers = await Promise.all([...burst, bystander]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  }, 60_000);
});
