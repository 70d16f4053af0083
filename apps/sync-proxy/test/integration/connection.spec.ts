import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHomeserver, joinedRoom, message, newRoomId, newUser, syncResponse } from '@gateway/testing';
import { slidingSync, stableSync } from '../support/matrix-client';
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

  it('serves the stable endpoint from the same engine, and refuses to mix the APIs on one connection', async () => {
    const stable = {
      conn_id: 'c',
      lists: { all: { range: [0, 9], timeline_limit: 5, required_state: { include: [{}] } } },
    };
    const first = await stableSync(proxy.url, user.token, stable);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.lists).toEqual({ all: { count: 1 } });
    const room = first.body.rooms?.[roomId];
    expect(room).toMatchObject({ initial: true, membership: 'join', lists: ['all'] });
    expect(room).not.toHaveProperty('notification_count');
    expect(room?.['required_state']).toBeInstanceOf(Array);
    const again = await stableSync(proxy.url, user.token, { ...stable, pos: first.body.pos, timeout: 0 });
    expect(again.status).toBe(200);
    expect(again.body.rooms).toEqual({});

    // The stable connection's pos on the unstable endpoint (same conn_id), and the other way round.
    const mixed = await sync({ pos: String(again.body.pos), timeout: '0' });
    expect({ status: mixed.status, errcode: mixed.body.errcode }).toEqual({
      status: 400,
      errcode: 'M_UNKNOWN_POS',
    });
    expect(String(mixed.body['error'])).toContain('/_matrix/client/v4/sync');
    const unstable = await sync();
    const back = await stableSync(proxy.url, user.token, { ...stable, pos: unstable.body.pos });
    expect({ status: back.status, errcode: back.body.errcode }).toEqual({
      status: 400,
      errcode: 'M_UNKNOWN_POS',
    });
    expect(String(back.body['error'])).toContain('unstable');
    // Starting over (no pos) opens a new connection under the stable API.
    expect((await stableSync(proxy.url, user.token, stable)).status).toBe(200);
  });

  it('answers the stable endpoint’s bad input with the proposal’s errors', async () => {
    const cases: [unknown, number, string][] = [
      [{ pos: 'nope' }, 400, 'M_UNKNOWN_POS'],
      [{ pos: '999999' }, 400, 'M_UNKNOWN_POS'],
      [{ set_presence: 'away' }, 400, 'M_INVALID_PARAM'],
      [{ timeout: 'soon' }, 400, 'M_BAD_JSON'],
      [{ lists: { all: { range: [0, 1], timeline_limit: 1 } } }, 400, 'M_MISSING_PARAM'],
      [
        {
          room_subscriptions: Object.fromEntries(
            Array.from({ length: 101 }, (_, i) => [
              `!r${String(i)}:hs`,
              { timeline_limit: 1, required_state: {} },
            ]),
          ),
        },
        400,
        'M_INVALID_PARAM',
      ],
      ['[1]', 400, 'M_BAD_JSON'],
    ];
    for (const [body, status, errcode] of cases) {
      const r = await stableSync(proxy.url, user.token, body);
      expect({ status: r.status, errcode: r.body.errcode }, JSON.stringify(body).slice(0, 80)).toEqual({
        status,
        errcode,
      });
    }
  });

  it('marks the user online as /v3/sync would, unless set_presence says otherwise', async () => {
    // A user of its own: the tests above already marked `user` online within the minute.
    const idle = newUser('presence');
    fake.addAccount(idle.token, idle.userId, idle.deviceId);
    fake.queue(idle.token, syncResponse('p1', {}));
    fake.script('PUT', /\/presence\/.*\/status$/, { status: 200, json: {} });
    const puts = () =>
      fake.requests
        .filter((r) => r.method === 'PUT' && r.path.endsWith('/status'))
        .map((r) => ({ path: r.path, body: JSON.parse(r.body) as unknown, auth: r.headers.authorization }));
    const before = puts().length;
    const body = { conn_id: 'presence' };
    expect((await stableSync(proxy.url, idle.token, { ...body, set_presence: 'offline' })).status).toBe(200);
    expect((await stableSync(proxy.url, idle.token, body)).status).toBe(200);
    expect((await stableSync(proxy.url, idle.token, body)).status).toBe(200);
    expect((await stableSync(proxy.url, idle.token, { ...body, set_presence: 'unavailable' })).status).toBe(
      200,
    );
    await expect.poll(() => puts().length - before).toBe(2);
    expect(puts().slice(before)).toEqual([
      {
        path: `/_matrix/client/v3/presence/${encodeURIComponent(idle.userId)}/status`,
        body: { presence: 'online' },
        auth: `Bearer ${idle.token}`,
      },
      {
        path: `/_matrix/client/v3/presence/${encodeURIComponent(idle.userId)}/status`,
        body: { presence: 'unavailable' },
        auth: `Bearer ${idle.token}`,
      },
    ]);
    fake.unscript();
  });

  it('long-polls the legacy MSC3575 endpoint when the request names no timeout; MSC4186 answers at once', async () => {
    // The 10 s themselves are timed in src/edge/sync.controller.spec.ts (fake timers): here, that the
    // legacy route waits at all when nothing is new, where the unstable MSC4186 one does not.
    const legacyBody = { conn_id: 'legacy', lists: { all: { ranges: [[0, 9]], timeline_limit: 1 } } };
    const legacy = (query: Record<string, string>, signal?: AbortSignal) =>
      fetch(
        `${proxy.url}/_matrix/client/unstable/org.matrix.msc3575/sync?${new URLSearchParams(query).toString()}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(legacyBody),
          ...(signal === undefined ? {} : { signal }),
        },
      );
    const first = await legacy({});
    expect(first.status).toBe(200);
    const { pos } = (await first.json()) as { pos: string };
    const hangUp = new AbortController();
    const pending = legacy({ pos }, hangUp.signal).then(
      (r) => `answered ${String(r.status)}`,
      () => 'hung up',
    );
    const early = await Promise.race([pending, new Promise((r) => setTimeout(r, 1_500, 'waiting'))]);
    hangUp.abort();
    expect(early).toBe('waiting');
    expect(await pending).toBe('hung up');
    // The same request saying timeout=0 is answered, with nothing new.
    const now = await legacy({ pos, timeout: '0' });
    expect(now.status).toBe(200);
    expect(((await now.json()) as { rooms?: unknown }).rooms ?? {}).toEqual({});

    const unstable = await sync();
    const started = Date.now();
    const again = await sync({ pos: String(unstable.body.pos) });
    expect(again.status).toBe(200);
    expect(again.body.rooms ?? {}).toEqual({});
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('clamps bump_stamp to the time the proxy received the event, so a fast remote clock pins no room on top', async () => {
    const bumper = newUser('bump');
    fake.addAccount(bumper.token, bumper.userId, bumper.deviceId);
    const liarRoom = newRoomId('liar');
    const honestRoom = newRoomId('honest');
    const received = Date.now();
    // A remote server whose clock runs a year ahead stamps the room's latest message.
    const future = received + 365 * 24 * 3600_000;
    fake.queue(
      bumper.token,
      syncResponse('b1', {
        join: {
          [liarRoom]: joinedRoom({
            timeline: [message('@liar:remote.test', 'from the future', { origin_server_ts: future })],
          }),
        },
      }),
    );
    const bumpBody = {
      conn_id: 'bump',
      lists: { all: { ranges: [[0, 9]], timeline_limit: 1, required_state: [] } },
    };
    const first = await slidingSync(proxy.url, bumper.token, bumpBody);
    const answered = Date.now();
    expect(first.status).toBe(200);
    const liarStamp = first.body.rooms?.[liarRoom]?.['bump_stamp'];
    expect(liarStamp).toBeGreaterThanOrEqual(received);
    expect(liarStamp).toBeLessThanOrEqual(answered);

    // A message sent afterwards in another room, stamped honestly, is the more recent one.
    await new Promise((r) => setTimeout(r, 5));
    const honest = message(bumper.userId, 'now');
    fake.queue(
      bumper.token,
      syncResponse('b2', { join: { [honestRoom]: joinedRoom({ timeline: [honest] }) } }),
    );
    await fake.waitForSince(bumper.token, 'b2');
    const next = await slidingSync(proxy.url, bumper.token, bumpBody, {
      pos: String(first.body.pos),
      timeout: '0',
    });
    expect(next.status).toBe(200);
    // Not clamped: an honest stamp is the event's own.
    expect(next.body.rooms?.[honestRoom]?.['bump_stamp']).toBe(honest.origin_server_ts);
    expect(honest.origin_server_ts).toBeGreaterThan(Number(liarStamp));
  });
});
