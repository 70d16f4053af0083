import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { FakeHomeserver, newUser, syncResponse } from '@gateway/testing';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

const SYNC = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

// Defects the security tier (test/security) found, each kept here so it cannot come back.
//
// Requests of one connection waited for each other's row lock in Postgres
// while each held a pooled database connection, so one client sending more at once than the pool has
// connections (10) starved everyone, whose requests failed with a 500 after the pool's connect timeout.
describe('what the security tier found', () => {
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

  it('answers many requests of one connection at once, and other users meanwhile, without a 5xx', async () => {
    // Warm up both users (the first request waits for the first poll).
    expect((await sync(greedy.token, 'warm')).status).toBe(200);
    expect((await sync(other.token, 'warm')).status).toBe(200);
    const burst = Array.from({ length: 40 }, () => sync(greedy.token, 'same'));
    const bystander = sync(other.token, 'mine');
    const answers = await Promise.all([...burst, bystander]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  }, 60_000);

  // conn_id is a key column: a NUL or a value past the btree row limit (~8 kB) failed the query (500).
  // Strings with NUL anywhere else failed the same way when stored (text, jsonb): libs/server's JSON
  // parser refuses them for every service.
  it('refuses a conn_id Postgres cannot store, and NUL in any string, with 400 M_BAD_JSON', async () => {
    const post = (path: string, body: string) =>
      fetch(`${proxy.url}${path}?timeout=0`, {
        method: 'POST',
        headers: { authorization: `Bearer ${greedy.token}`, 'content-type': 'application/json' },
        body,
      }).then(async (res) => ({ status: res.status, json: (await res.json()) as { errcode?: string } }));
    for (const path of [
      SYNC,
      '/_matrix/client/v4/sync',
      '/_matrix/client/unstable/org.matrix.msc3575/sync',
    ]) {
      for (const body of [
        JSON.stringify({ conn_id: 'x'.repeat(12_000) }),
        JSON.stringify({ conn_id: 'a\0b' }),
        JSON.stringify({ conn_id: 'ok', room_subscriptions: { '!r\0:hs': { timeline_limit: 1 } } }),
      ]) {
        const res = await post(path, body);
        expect(res, `${path} ${body.slice(0, 60)}`).toMatchObject({
          status: 400,
          json: { errcode: 'M_BAD_JSON' },
        });
      }
    }
  });
});

// bench/sync's 10,000-room run: 10,000 long-polls arriving at once (as after a restart) queued for the
// pool's connections past libs/db's 5 s connect timeout, and pg-pool's timeout error was a 500 for each.
describe('an exhausted database pool', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  const user = newUser('patient');

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.addAccount(user.token, user.userId, user.deviceId);
    fake.queue(user.token, syncResponse('s1', {}));
    // One connection (the Go proxy accepts it, and start-up's migrations must too), so the test can
    // hold all of them.
    proxy = await startProxy(
      fake.url,
      { SYNCV3_MAX_DB_CONN: '1' },
      { timings: { firstSyncWaitMs: 2_000, pollTimeoutMs: 1_000 } },
    );
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.stop();
  });

  it('answers M_LIMIT_EXCEEDED with retry_after_ms, not a 500, and serves again once a connection is free', async () => {
    const sync = () =>
      fetch(`${proxy.url}${SYNC}?timeout=0`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ conn_id: 'c', lists: { all: { ranges: [[0, 9]], timeline_limit: 1 } } }),
      }).then(async (res) => ({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as Record<string, unknown>,
      }));
    const first = await sync();
    expect(first, JSON.stringify(first)).toMatchObject({ status: 200 });
    // The pool's connection, busy past the 5 s connect timeout (the poller's queries wait too).
    const held = proxy.app.get(Database).dataSource.query('SELECT pg_sleep(7)');
    await new Promise((r) => setTimeout(r, 200));
    const refused = await sync();
    expect(refused).toEqual({
      status: 429,
      retryAfter: '1',
      body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 1000 },
    });
    expect(proxy.logs()).toContain('database pool exhausted');
    expect(proxy.logs()).not.toContain('unhandled error');
    await held;
    expect((await sync()).status).toBe(200);
  }, 30_000);
});
