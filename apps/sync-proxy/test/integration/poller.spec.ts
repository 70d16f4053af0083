import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, type DataSource } from '@gateway/db';
import {
  createTestDatabase,
  freePort,
  testRedisUrl,
  FakeHomeserver,
  createRoomState,
  joinedRoom,
  message,
  newRoomId,
  newUser,
  stateEvent,
  syncResponse,
  toDeviceMessage,
  type SyncRecord,
} from '@gateway/testing';
import { slidingSync, type SlidingResponse } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// The upstream side of the proxy: what its pollers ask a homeserver for, and what they store of the
// answers, checked through the MSC4186 API and the database. A scripted fake homeserver plays upstream
// (the Go proxy's tests-integration approach), on a real Postgres and Redis.

const TIMINGS = { leaseMs: 5_000, renewEveryMs: 500, firstSyncWaitMs: 5_000, pollTimeoutMs: 1_500 };
const ENV = { SYNCV3_REDIS: testRedisUrl() };
/** The poller's retry delay after one of its first failures is 3 s ± 20 %. */
const MIN_BACKOFF_MS = 2_400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Room = NonNullable<SlidingResponse['body']['rooms']>[string];

function timelineIds(room: Room | undefined): string[] {
  return (room?.timeline ?? []).map((e) => e.event_id);
}

function toDevice(res: SlidingResponse): { next_batch: string; events: Record<string, unknown>[] } {
  return res.body.extensions?.['to_device'] as { next_batch: string; events: Record<string, unknown>[] };
}

/** Subscribes to one room with all its state. */
function subscription(roomId: string, timelineLimit: number) {
  return {
    room_subscriptions: { [roomId]: { timeline_limit: timelineLimit, required_state: [['*', '*']] } },
  };
}

function withToDevice(body: Record<string, unknown>, since?: string) {
  return {
    ...body,
    extensions: { to_device: { enabled: true, ...(since === undefined ? {} : { since }) } },
  };
}

describe('pollers against a fake homeserver', () => {
  let fake: FakeHomeserver;
  let proxy: ProxyUnderTest;
  let db: DataSource;

  /** The proxy's internal listener (SYNCV3_PROM), where /metrics is served. */
  let metricsUrl: string;

  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    const promPort = await freePort();
    metricsUrl = `http://127.0.0.1:${String(promPort)}/metrics`;
    proxy = await startProxy(
      fake.url,
      { ...ENV, SYNCV3_PROM: `127.0.0.1:${String(promPort)}` },
      { timings: TIMINGS },
    );
    db = createDataSource({ url: proxy.databaseUrl, entities: [], migrations: [] });
    await db.initialize();
  });

  afterAll(async () => {
    await db.destroy();
    await proxy.stop();
    await fake.stop();
  });

  const sync = (token: string, body: unknown, query: Record<string, string> = {}) =>
    slidingSync(proxy.url, token, body, query);

  function account(name: string): ReturnType<typeof newUser> {
    const user = newUser(name);
    fake.addAccount(user.token, user.userId, user.deviceId);
    return user;
  }

  async function count(sql: string, params: unknown[]): Promise<number> {
    const rows = await db.query<{ n: number }[]>(sql, params);
    return rows[0]?.n ?? 0;
  }

  const toDeviceRows = (userId: string) =>
    count('SELECT count(*)::int AS n FROM sync_to_device WHERE user_id = $1', [userId]);
  const timelineRows = (eventId: string) =>
    count('SELECT count(*)::int AS n FROM sync_timeline WHERE event_id = $1', [eventId]);

  async function storedSince(userId: string): Promise<string | null> {
    const rows = await db.query<{ since: string | null }[]>(
      'SELECT since FROM sync_devices WHERE user_id = $1',
      [userId],
    );
    return rows[0]?.since ?? null;
  }

  /** A user in one room whose first sync (`next_batch` s1) is stored, and whose poller is long-polling. */
  async function syncedUser(name: string, body: (roomId: string) => Record<string, unknown>) {
    const user = account(name);
    const roomId = newRoomId(name);
    const first = [message(user.userId, 'one'), message(user.userId, 'two')];
    fake.queue(
      user.token,
      syncResponse('s1', {
        join: {
          [roomId]: joinedRoom({
            state: createRoomState(user.userId, name),
            timeline: first,
            prevBatch: 'p0',
          }),
        },
      }),
    );
    const res = await sync(user.token, body(roomId));
    expect(res.status).toBe(200);
    expect(timelineIds(res.body.rooms?.[roomId])).toEqual(first.map((e) => e.event_id));
    await fake.waitForSince(user.token, 's1');
    return { user, roomId, first, res };
  }

  /** A first upstream sync (`next_batch` s1): one room with its state and one message, plus `extra`. */
  function firstSync(userId: string, roomId: string, extra: Parameters<typeof syncResponse>[1] = {}) {
    return syncResponse('s1', {
      join: {
        [roomId]: joinedRoom({ state: createRoomState(userId), timeline: [message(userId, 'a')] }),
      },
      ...extra,
    });
  }

  /** Stops a proxy and waits until its upstream long-poll for `token` has ended; when it was stopped. */
  async function stopPolling(proxy: ProxyUnderTest, token: string): Promise<number> {
    await proxy.stop();
    const stoppedAt = Date.now();
    await waitUntil(() => fake.syncsOf(token).every((r) => r.outcome !== 'pending'));
    return stoppedAt;
  }

  it('first sync: timeout 0 without since or presence, the client waits for it; later polls carry since', async () => {
    const a = account('first');
    const roomId = newRoomId();
    const events = [message(a.userId, 'one'), message(a.userId, 'two')];
    const body = {
      conn_id: 'list',
      lists: { all: { ranges: [[0, 9]], timeline_limit: 5, required_state: [['m.room.name', '']] } },
    };
    const started = Date.now();
    const client = sync(a.token, body);

    const initial = await fake.waitForSync(a.token);
    expect(initial.since).toBeUndefined();
    expect(initial.timeout).toBe(0);
    expect(initial.setPresence).toBe('offline');
    expect(initial.filter).toMatchObject({
      presence: { not_types: ['*'] },
      room: { timeline: { limit: 20 }, state: { lazy_load_members: true } },
    });

    // The homeserver takes a while over the first sync; the client's request waits for it.
    await sleep(400);
    fake.queue(
      a.token,
      syncResponse('s1', {
        join: { [roomId]: joinedRoom({ state: createRoomState(a.userId, 'First'), timeline: events }) },
      }),
    );
    const res = await client;
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(TIMINGS.firstSyncWaitMs);
    expect(res.body.lists?.['all']?.count).toBe(1);
    const room = res.body.rooms?.[roomId];
    expect(room?.['name']).toBe('First');
    expect(room?.['initial']).toBe(true);
    expect(room?.['limited']).toBe(false);
    expect(timelineIds(room)).toEqual(events.map((e) => e.event_id));

    const second = await fake.waitForSince(a.token, 's1');
    expect(second.timeout).toBe(TIMINGS.pollTimeoutMs);
    expect(second.setPresence).toBe('offline');
    expect(second.filter).toMatchObject({
      presence: { not_types: ['*'] },
      room: { timeline: { limit: 50 }, state: { lazy_load_members: false } },
    });

    // Live: a waiting long-poll is answered with the next chunk.
    const live = sync(a.token, body, { pos: String(res.body.pos), timeout: '10000' });
    await sleep(200);
    const m3 = message(a.userId, 'three');
    fake.queue(a.token, syncResponse('s2', { join: { [roomId]: joinedRoom({ timeline: [m3] }) } }));
    const next = await live;
    expect(next.status).toBe(200);
    expect(timelineIds(next.body.rooms?.[roomId])).toEqual([m3.event_id]);
    expect(next.body.rooms?.[roomId]?.['num_live']).toBe(1);
    const third = await fake.waitForSince(a.token, 's2');
    expect(third.setPresence).toBe('offline');
    // One poller, one initial sync.
    expect(fake.syncsOf(a.token).filter((r) => r.since === undefined)).toHaveLength(1);
  });

  it('reports how far behind the homeserver a live poll is in sync_proxy_poll_lag_seconds', async () => {
    const lagSamples = async (): Promise<{ count: number; sum: number }> => {
      const text = await (await fetch(metricsUrl)).text();
      const sample = (name: string): number =>
        Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      return {
        count: sample('sync_proxy_poll_lag_seconds_count'),
        sum: sample('sync_proxy_poll_lag_seconds_sum'),
      };
    };
    const before = await lagSamples();
    // A first sync is history, not news: it is not observed.
    const { user, roomId } = await syncedUser('lag', (id) => subscription(id, 5));
    expect(await lagSamples()).toEqual(before);

    // A live response whose newest event the homeserver created 3 s before.
    const older = { ...message(user.userId, 'older'), origin_server_ts: Date.now() - 60_000 };
    const newest = { ...message(user.userId, 'newest'), origin_server_ts: Date.now() - 3_000 };
    fake.queue(
      user.token,
      syncResponse('s2', { join: { [roomId]: joinedRoom({ timeline: [older, newest] }) } }),
    );
    await fake.waitForSince(user.token, 's2');
    const after = await lagSamples();
    expect(after.count - before.count).toBe(1);
    expect(after.sum - before.sum).toBeGreaterThanOrEqual(3);
    expect(after.sum - before.sum).toBeLessThan(10);
  });

  it('exports pollers, waiting long-polls, cached room lists and delivery stages on /metrics', async () => {
    const scrape = async (): Promise<(name: string) => number> => {
      const text = await (await fetch(metricsUrl)).text();
      return (name: string) => {
        const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`);
        return Number(new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      };
    };
    const { user, roomId, res } = await syncedUser('metrics', (id) => subscription(id, 5));
    const before = await scrape();
    expect(before('sync_proxy_pollers')).toBeGreaterThanOrEqual(1);
    expect(before('sync_proxy_cached_room_lists')).toBeGreaterThanOrEqual(1);
    const delivered = before('sync_proxy_delivery_seconds_count{stage="total"}');

    const live = sync(user.token, subscription(roomId, 5), { pos: String(res.body.pos), timeout: '10000' });
    await sleep(200);
    expect((await scrape())('sync_proxy_waiters')).toBeGreaterThanOrEqual(1);
    fake.queue(
      user.token,
      syncResponse('s2', { join: { [roomId]: joinedRoom({ timeline: [message(user.userId, 'news')] }) } }),
    );
    expect((await live).status).toBe(200);
    const after = await scrape();
    // The woken long-poll's answer is timed, stage by stage.
    for (const stage of ['store', 'wake', 'recompute', 'total'])
      expect(after(`sync_proxy_delivery_seconds_count{stage="${stage}"}`)).toBeGreaterThanOrEqual(
        stage === 'total' && Number.isFinite(delivered) ? delivered + 1 : 1,
      );
  });

  it('verifies a token with whoami once, however many requests use it', async () => {
    const a = account('whoami');
    const roomId = newRoomId();
    fake.queue(
      a.token,
      syncResponse('s1', {
        join: {
          [roomId]: joinedRoom({ state: createRoomState(a.userId), timeline: [message(a.userId, 'hi')] }),
        },
      }),
    );
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        sync(a.token, { conn_id: `c${String(i)}`, ...subscription(roomId, 1) }),
      ),
    );
    for (const res of concurrent) expect(res.status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await sync(a.token, { conn_id: 'sequential', ...subscription(roomId, 1) });
      expect(res.status).toBe(200);
    }
    expect(fake.whoamiCount(a.token)).toBe(1);
    expect(fake.syncsOf(a.token).filter((r) => r.since === undefined)).toHaveLength(1);
  });

  it('a gappy v2 sync: limited, the gap’s prev_batch, and only the events after the gap', async () => {
    const body = (roomId: string) => ({ conn_id: 'gappy', ...subscription(roomId, 10) });
    const { user, roomId, res } = await syncedUser('gappy', body);
    expect(res.body.rooms?.[roomId]?.['limited']).toBe(false);

    const after = [message(user.userId, 'five'), message(user.userId, 'six')];
    fake.queue(
      user.token,
      syncResponse('s2', {
        join: {
          [roomId]: joinedRoom({
            // The state block of a gappy sync: the state at the start of the timeline.
            state: [stateEvent(user.userId, 'm.room.name', '', { name: 'After the gap' })],
            timeline: after,
            limited: true,
            prevBatch: 'p1',
          }),
        },
      }),
    );
    await fake.waitForSince(user.token, 's2');

    const next = await sync(user.token, body(roomId), { pos: String(res.body.pos) });
    const room = next.body.rooms?.[roomId];
    expect(timelineIds(room)).toEqual(after.map((e) => e.event_id));
    expect(room?.['limited']).toBe(true);
    expect(room?.['prev_batch']).toBe('p1');
    expect(room?.['name']).toBe('After the gap');

    // A new connection asking for more than the gap left (TestTimelineMiddleWindowZeroTimelineLimit).
    const fresh = await sync(user.token, { conn_id: 'gappy-fresh', ...subscription(roomId, 10) });
    const freshRoom = fresh.body.rooms?.[roomId];
    expect(timelineIds(freshRoom)).toEqual(after.map((e) => e.event_id));
    expect(freshRoom?.['limited']).toBe(true);
    expect(freshRoom?.['prev_batch']).toBe('p1');
    expect(fake.contexts.filter((c) => c.roomId === roomId)).toEqual([]);
  });

  it('resolves prev_batch through /context when the oldest event returned is mid-chunk', async () => {
    const a = account('context');
    const roomId = newRoomId();
    const events = Array.from({ length: 5 }, (_, i) => message(a.userId, `m${String(i)}`));
    fake.queue(
      a.token,
      syncResponse('s1', {
        join: {
          [roomId]: joinedRoom({
            state: createRoomState(a.userId),
            timeline: events,
            limited: true,
            prevBatch: 'p0',
          }),
        },
      }),
    );
    const two = await sync(a.token, { conn_id: 'two', ...subscription(roomId, 2) });
    const oldest = events[3]!.event_id;
    expect(timelineIds(two.body.rooms?.[roomId])).toEqual([oldest, events[4]!.event_id]);
    expect(two.body.rooms?.[roomId]?.['limited']).toBe(true);
    expect(two.body.rooms?.[roomId]?.['prev_batch']).toBe(`ctx_${oldest}`);
    expect(fake.contexts).toContainEqual({ token: a.token, roomId, eventId: oldest });

    // The token is cached: asking again costs no second /context.
    const again = await sync(a.token, { conn_id: 'two-again', ...subscription(roomId, 2) });
    expect(again.body.rooms?.[roomId]?.['prev_batch']).toBe(`ctx_${oldest}`);
    expect(fake.contexts.filter((c) => c.roomId === roomId)).toHaveLength(1);

    // The chunk's first event carries the homeserver's own prev_batch: no /context needed.
    const all = await sync(a.token, { conn_id: 'all', ...subscription(roomId, 10) });
    expect(timelineIds(all.body.rooms?.[roomId])).toEqual(events.map((e) => e.event_id));
    expect(all.body.rooms?.[roomId]?.['limited']).toBe(true);
    expect(all.body.rooms?.[roomId]?.['prev_batch']).toBe('p0');
    expect(fake.contexts.filter((c) => c.roomId === roomId)).toHaveLength(1);
  });

  it('stops polling on a 401 from /sync and answers the client 401 M_UNKNOWN_TOKEN', async () => {
    const body = (roomId: string) => ({ conn_id: 'expiry', ...subscription(roomId, 5) });
    const { user, roomId, res } = await syncedUser('expiry', body);
    const inflight = sync(user.token, body(roomId), { pos: String(res.body.pos), timeout: '2000' });
    await sleep(200);
    const whoamis = fake.whoamiCount(user.token);

    fake.invalidate(user.token);
    await fake.waitForSync(user.token, (r) => r.outcome === 'unauthorized');
    const waiting = await inflight;
    expect(waiting.status).toBe(401);
    expect(waiting.body.errcode).toBe('M_UNKNOWN_TOKEN');

    const polls = fake.syncsOf(user.token).length;
    await sleep(4 * TIMINGS.renewEveryMs);
    expect(fake.syncsOf(user.token)).toHaveLength(polls);

    const after = await sync(user.token, body(roomId));
    expect(after.status).toBe(401);
    expect(after.body.errcode).toBe('M_UNKNOWN_TOKEN');
    expect(after.body['soft_logout']).toBe(false);
    // The proxy knew the token was dead: no new whoami, no new poller.
    expect(fake.whoamiCount(user.token)).toBe(whoamis);
    await sleep(2 * TIMINGS.renewEveryMs);
    expect(fake.syncsOf(user.token)).toHaveLength(polls);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM sync_devices WHERE user_id = $1 AND poll_state = 'invalid' AND owner IS NULL`,
        [user.userId],
      ),
    ).toBe(1);
  });

  it('retries a 500 and a 429 with backoff and the same since, then stores the good answer once', async () => {
    const body = (roomId: string) => withToDevice({ conn_id: 'retry', ...subscription(roomId, 5) });
    const { user, roomId, res } = await syncedUser('retry', body);
    expect(toDevice(res).events).toEqual([]);

    fake.failNext(user.token, 1, 500);
    fake.failNext(user.token, 1, 429);
    const m3 = message(user.userId, 'three');
    const td = toDeviceMessage('@sender:fake.test', { action: 'request' });
    fake.queue(
      user.token,
      syncResponse('s2', { join: { [roomId]: joinedRoom({ timeline: [m3] }) }, toDevice: [td] }),
    );
    await fake.waitForSince(user.token, 's2', 15_000);

    const polls = fake.syncsOf(user.token).filter((r) => r.since === 's1' && r.outcome !== 'empty');
    expect(polls.map((r) => r.status)).toEqual([500, 429, 200]);
    expectBackoff(polls);
    expect(await timelineRows(m3.event_id)).toBe(1);
    expect(await toDeviceRows(user.userId)).toBe(1);

    const next = await sync(user.token, withToDevice(body(roomId), toDevice(res).next_batch), {
      pos: String(res.body.pos),
    });
    expect(timelineIds(next.body.rooms?.[roomId])).toEqual([m3.event_id]);
    expect(toDevice(next).events).toEqual([td]);
    const acked = await sync(user.token, withToDevice(body(roomId), toDevice(next).next_batch), {
      pos: String(next.body.pos),
    });
    expect(toDevice(acked).events).toEqual([]);
    expect(await toDeviceRows(user.userId)).toBe(0);
  });

  it('stores nothing of malformed answers and delivers a retried to-device message once', async () => {
    // TestBadPollDataDoesntDropToDeviceMsgs: the homeserver resends the same to-device messages until
    // `since` moves on, so what matters is that the bad answers store nothing and the good one all.
    const body = (roomId: string) => withToDevice({ conn_id: 'bad', ...subscription(roomId, 5) });
    const { user, roomId, res } = await syncedUser('bad', body);

    const m3 = message(user.userId, 'three');
    const td = toDeviceMessage('@sender:fake.test', { action: 'request' });
    const good = syncResponse('s2', { join: { [roomId]: joinedRoom({ timeline: [m3] }) }, toDevice: [td] });
    const { next_batch: _dropped, ...withoutNextBatch } = good;
    fake.queueRaw(user.token, JSON.stringify(good).slice(0, -20));
    fake.queue(user.token, withoutNextBatch);
    // The third poll on s1 waits on an empty queue: both bad answers have been dealt with.
    await fake.waitForSync(user.token, (r) => r.since === 's1' && r.outcome === 'pending', 15_000);
    expect(await storedSince(user.userId)).toBe('s1');
    expect(await timelineRows(m3.event_id)).toBe(0);
    expect(await toDeviceRows(user.userId)).toBe(0);
    const nothing = await sync(user.token, body(roomId), { pos: String(res.body.pos) });
    expect(nothing.status).toBe(200);
    expect(nothing.body.rooms?.[roomId]).toBeUndefined();
    expect(toDevice(nothing).events).toEqual([]);

    fake.queue(user.token, good);
    await fake.waitForSince(user.token, 's2');
    const polls = fake.syncsOf(user.token).filter((r) => r.since === 's1' && r.outcome !== 'empty');
    expect(polls.map((r) => r.outcome)).toEqual(['malformed', 'queued', 'queued']);
    expectBackoff(polls);
    expect(await timelineRows(m3.event_id)).toBe(1);
    expect(await toDeviceRows(user.userId)).toBe(1);

    const next = await sync(user.token, body(roomId), { pos: String(nothing.body.pos) });
    expect(timelineIds(next.body.rooms?.[roomId])).toEqual([m3.event_id]);
    expect(toDevice(next).events).toEqual([td]);
    const acked = await sync(user.token, withToDevice(body(roomId), toDevice(next).next_batch), {
      pos: String(next.body.pos),
    });
    expect(toDevice(acked).events).toEqual([]);
    expect(acked.body.rooms?.[roomId]).toBeUndefined();
  });

  it('stores what Postgres cannot hold as is instead of retrying the same answer forever', async () => {
    // Each of these failed the whole batch in Postgres on every retry of the same since (the homeserver
    // resends the same answer), so the device never synced again.
    const cases: Record<string, (userId: string, roomId: string) => Record<string, unknown>> = {
      nul: (u, r) => ({
        rooms: {
          join: {
            [r]: joinedRoom({
              timeline: [message(u, 'a\u0000b', { content: { body: 'a\u0000b', ['k\u0000']: 1 } })],
            }),
          },
        },
        to_device: { events: [toDeviceMessage(u, { note: 'x\u0000' })] },
      }),
      surrogate: (u, r) => ({ rooms: { join: { [r]: joinedRoom({ timeline: [message(u, 'x\ud800y')] }) } } }),
      fractionalTs: (u, r) => ({
        rooms: { join: { [r]: joinedRoom({ timeline: [message(u, 'x', { origin_server_ts: 1.5 })] }) } },
      }),
      hugeTs: (u, r) => ({
        rooms: { join: { [r]: joinedRoom({ timeline: [message(u, 'x', { origin_server_ts: -1e20 })] }) } },
      }),
      receiptTs: (u, r) => ({
        rooms: {
          join: {
            [r]: joinedRoom({
              timeline: [message(u, 'x')],
              extra: {
                ephemeral: {
                  events: [{ type: 'm.receipt', content: { $e: { 'm.read': { [u]: { ts: 1.5 } } } } }],
                },
              },
            }),
          },
        },
      }),
      repeatedState: (u, r) => ({
        rooms: {
          join: {
            [r]: joinedRoom({
              state: [
                stateEvent(u, 'm.room.topic', '', { topic: 'a' }),
                stateEvent(u, 'm.room.topic', '', { topic: 'b' }),
              ],
              timeline: [message(u, 'x')],
              limited: true,
            }),
          },
        },
      }),
      repeatedDeviceList: () => ({
        device_lists: { changed: ['@x:fake.test', '@x:fake.test'], left: ['@x:fake.test'] },
      }),
    };
    const users = await Promise.all(
      Object.entries(cases).map(async ([name, make]) => {
        const body = (roomId: string) => ({ conn_id: name, ...subscription(roomId, 5) });
        const synced = await syncedUser(name, body);
        fake.queue(synced.user.token, { next_batch: 's2', ...make(synced.user.userId, synced.roomId) });
        return { name, ...synced };
      }),
    );
    const stored = await Promise.all(
      users.map(({ user }) =>
        fake.waitForSince(user.token, 's2', 3 * MIN_BACKOFF_MS).then(
          () => 'stored',
          () => 'wedged',
        ),
      ),
    );
    expect(Object.fromEntries(users.map((u, i) => [u.name, stored[i]]))).toEqual(
      Object.fromEntries(users.map((u) => [u.name, 'stored'])),
    );

    const byName = new Map(users.map((u) => [u.name, u]));
    const read = async (name: string) => {
      const { user, roomId, res } = byName.get(name)!;
      const next = await sync(user.token, withToDevice({ conn_id: name, ...subscription(roomId, 5) }), {
        pos: String(res.body.pos),
      });
      return { next, room: next.body.rooms?.[roomId] };
    };
    const nul = await read('nul');
    expect(nul.room?.timeline?.[0]).toMatchObject({ content: { body: 'a\uFFFDb', ['k\uFFFD']: 1 } });
    expect(toDevice(nul.next).events).toMatchObject([{ content: { note: 'x\uFFFD' } }]);
    const surrogate = await read('surrogate');
    expect(surrogate.room?.timeline?.[0]).toMatchObject({ content: { body: 'x\uFFFDy' } });
    const repeated = await read('repeatedState');
    const topic = (repeated.room?.['required_state'] as { type: string; content: { topic?: string } }[]).find(
      (e) => e.type === 'm.room.topic',
    );
    expect(topic?.content.topic).toBe('b');
  });

  // A 401 on the very first upstream sync is the client's answer, at once, not an empty 200 after the wait.
  it('answers 401 promptly when the first upstream sync rejects the token', async () => {
    const a = account('first401');
    fake.failNext(a.token, 1, 401);
    const started = Date.now();
    const res = await sync(a.token, { conn_id: 'x' });
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_UNKNOWN_TOKEN');
    expect(Date.now() - started).toBeLessThan(TIMINGS.firstSyncWaitMs);
  });

  // A 401 with soft_logout: true (an expired token the client can refresh) must reach the client as such,
  // or it drops its session instead of refreshing.
  it('keeps soft_logout: true when upstream /sync says so', async () => {
    const body = (roomId: string) => ({ conn_id: 'soft', ...subscription(roomId, 5) });
    const { user, roomId } = await syncedUser('soft', body);
    fake.invalidate(user.token, { softLogout: true });
    await fake.waitForSync(user.token, (r) => r.outcome === 'unauthorized');
    await sleep(200);
    const res = await sync(user.token, body(roomId));
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_UNKNOWN_TOKEN');
    expect(res.body['soft_logout']).toBe(true);
  });

  it('keeps unacknowledged to-device messages across a restart, and resumes polling from since', async () => {
    const database = await createTestDatabase();
    let first: ProxyUnderTest | undefined;
    let second: ProxyUnderTest | undefined;
    try {
      first = await startProxy(fake.url, ENV, { timings: TIMINGS, databaseUrl: database.url });
      const user = account('restart');
      const roomId = newRoomId();
      const tds = [
        toDeviceMessage('@sender:fake.test', { n: 1 }),
        toDeviceMessage('@sender:fake.test', { n: 2 }),
      ];
      fake.queue(user.token, firstSync(user.userId, roomId, { toDevice: tds }));
      const body = withToDevice({ conn_id: 'restart', ...subscription(roomId, 5) });
      const before = await slidingSync(first.url, user.token, body);
      expect(toDevice(before).events).toEqual(tds);
      await fake.waitForSince(user.token, 's1');

      const running = first;
      first = undefined;
      const stoppedAt = await stopPolling(running, user.token);
      // The stopping proxy hung up on its long-poll instead of leaving it to take a reply.
      expect(fake.syncsOf(user.token).filter((r) => r.outcome === 'aborted')).toHaveLength(1);

      second = await startProxy(fake.url, ENV, { timings: TIMINGS, databaseUrl: database.url });
      // Not acknowledged: delivered again, on the old position (connections live in Postgres) as on a
      // new connection.
      const oldPos = await slidingSync(second.url, user.token, body, { pos: String(before.body.pos) });
      expect(oldPos.status).toBe(200);
      expect(toDevice(oldPos).events).toEqual(tds);
      const fresh = await slidingSync(second.url, user.token, body);
      expect(fresh.status).toBe(200);
      expect(toDevice(fresh).events).toEqual(tds);
      const resumed = await fake.waitForSync(user.token, (r) => r.at >= stoppedAt);
      expect(resumed.since).toBe('s1');
      expect(fake.syncsOf(user.token).filter((r) => r.since === undefined)).toHaveLength(1);
      // The token was stored verified: the new process did not ask whoami again.
      expect(fake.whoamiCount(user.token)).toBe(1);

      const td3 = toDeviceMessage('@sender:fake.test', { n: 3 });
      fake.queue(user.token, syncResponse('s2', { toDevice: [td3] }));
      await fake.waitForSince(user.token, 's2');
      const acked = await slidingSync(
        second.url,
        user.token,
        withToDevice(body, toDevice(fresh).next_batch),
        {
          pos: String(fresh.body.pos),
        },
      );
      expect(toDevice(acked).events).toEqual([td3]);
      const done = await slidingSync(second.url, user.token, withToDevice(body, toDevice(acked).next_batch), {
        pos: String(acked.body.pos),
      });
      expect(toDevice(done).events).toEqual([]);
    } finally {
      await second?.stop();
      await first?.stop();
      await database.drop();
    }
  });

  it('pauses a device whose stored token no longer decrypts (SYNCV3_SECRET changed) until its client syncs', async () => {
    const database = await createTestDatabase();
    const rows = createDataSource({ url: database.url, entities: [], migrations: [] });
    let first: ProxyUnderTest | undefined;
    let second: ProxyUnderTest | undefined;
    try {
      first = await startProxy(fake.url, ENV, { timings: TIMINGS, databaseUrl: database.url });
      const user = account('rotated');
      const roomId = newRoomId();
      fake.queue(user.token, firstSync(user.userId, roomId));
      const body = { conn_id: 'rotated', ...subscription(roomId, 5) };
      expect((await slidingSync(first.url, user.token, body)).status).toBe(200);
      await fake.waitForSince(user.token, 's1');
      const running = first;
      first = undefined;
      const stoppedAt = await stopPolling(running, user.token);

      // Another secret: the replica claims the device (its lease was given up) and cannot read its token.
      second = await startProxy(
        fake.url,
        { ...ENV, SYNCV3_SECRET: 'another-secret' },
        { timings: TIMINGS, databaseUrl: database.url },
      );
      await rows.initialize();
      const pollState = async (): Promise<string | undefined> =>
        (
          await rows.query<{ poll_state: string }[]>(
            'SELECT poll_state FROM sync_devices WHERE user_id = $1',
            [user.userId],
          )
        )[0]?.poll_state;
      const deadline = Date.now() + 5_000;
      while (!second.logs().includes('stored token does not decrypt (SYNCV3_SECRET changed?)')) {
        if (Date.now() > deadline) throw new Error('the replica never tried the stored token');
        await sleep(50);
      }
      expect(await pollState()).toBe('idle');
      // Paused: several lease ticks pass without an upstream /sync for the device.
      await sleep(4 * TIMINGS.renewEveryMs);
      expect(fake.syncsOf(user.token).filter((r) => r.at >= stoppedAt)).toEqual([]);

      // The client's next request brings the token: polling resumes where it was, not from scratch.
      expect((await slidingSync(second.url, user.token, body)).status).toBe(200);
      const resumed = await fake.waitForSync(user.token, (r) => r.at >= stoppedAt);
      expect(resumed.since).toBe('s1');
    } finally {
      if (rows.isInitialized) await rows.destroy();
      await second?.stop();
      await first?.stop();
      await database.drop();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** Each retry came at least one backoff after the failure before it. */
function expectBackoff(polls: readonly SyncRecord[]): void {
  for (let i = 1; i < polls.length; i++) {
    expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(MIN_BACKOFF_MS);
  }
}
