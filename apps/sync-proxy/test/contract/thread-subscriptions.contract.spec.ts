import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, testRedisUrl, type Synapse } from '@gateway/testing';
import { TestClient, slidingSync, stableSync, type SlidingResponse } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// MSC4308's thread subscriptions extension, the proxy against Synapse 1.160's own sliding sync (with
// experimental_features.msc4306_enabled). Threads are subscribed and unsubscribed through the proxy
// (real PUT/DELETE, forwarded to Synapse); after each step both sides, each on its own pos chain, are
// asked the same request and their extension answers must be equal field by field: the bump_stamps and
// prev_batch tokens are Synapse's own on both sides.
const EXT = 'io.element.msc4308.thread_subscriptions';
const LIMIT = 2;
const COMPANION = '/_matrix/client/unstable/io.element.msc4308/thread_subscriptions';
const BODY = {
  conn_id: 'threads',
  lists: { all: { ranges: [[0, 9]], timeline_limit: 1, required_state: [] } },
  extensions: { [EXT]: { enabled: true, limit: LIMIT } },
};
const STABLE_BODY = {
  conn_id: 'threads-v4',
  lists: { all: { range: [0, 9], timeline_limit: 1, required_state: { include: [] } } },
  extensions: BODY.extensions,
};

/**
 * The proxy's extension answer is Synapse's, but for `prev_batch`: Synapse's token plus where the gap
 * starts (`.<position>`), which Synapse reads from the `to` the client sends and the proxy cannot.
 */
function expectSame(ours: unknown, theirs: unknown): void {
  const gap = (theirs as { prev_batch?: string } | undefined)?.prev_batch;
  if (gap === undefined) {
    expect(ours).toEqual(theirs);
    return;
  }
  const ourGap = (ours as { prev_batch?: string } | undefined)?.prev_batch ?? '';
  expect(ourGap).toMatch(new RegExp(`^${gap}\\.\\d+$`));
  expect({ ...(ours as object), prev_batch: gap }).toEqual(theirs);
}

function subscriptionPath(roomId: string, threadRootId: string): string {
  return `/_matrix/client/unstable/io.element.msc4306/rooms/${encodeURIComponent(roomId)}/thread/${encodeURIComponent(threadRootId)}/subscription`;
}

describe('MSC4308 thread subscriptions: the proxy against Synapse native', () => {
  let synapse: Synapse;
  let proxy: ProxyUnderTest;
  let replicaB: ProxyUnderTest;
  /** Alice's device behind the proxy: every call of hers goes through it. */
  let aliceP: TestClient & { deviceId: string };
  /** Alice's device on Synapse's own sliding sync. */
  let aliceN: TestClient & { deviceId: string };
  let room: string;
  const roots: string[] = [];
  /** An event in the thread of roots[1], the cause of an automatic subscription. */
  let inThread: string;
  let posP: string | undefined;
  let posN: string | undefined;
  let posS: string | undefined;

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain', msc4306: true });
    const a = await synapse.registerUser('alice');
    const alice = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    room = await alice.createRoom({ preset: 'private_chat', name: 'Threads' });
    for (let i = 0; i < 3; i++) roots.push(await alice.send(room, `root ${String(i)}`));
    const reply = await alice.call<{ event_id: string }>(
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/send/m.room.message/reply-1`,
      {
        msgtype: 'm.text',
        body: 'in the thread',
        'm.relates_to': { rel_type: 'm.thread', event_id: roots[1] },
      },
    );
    inThread = reply.event_id;
    // Two replicas on one database and Redis: a change through one must wake long-polls on the other.
    proxy = await startProxy(synapse.baseUrl, { SYNCV3_REDIS: testRedisUrl() });
    replicaB = await startProxy(
      synapse.baseUrl,
      { SYNCV3_REDIS: testRedisUrl() },
      { databaseUrl: proxy.databaseUrl },
    );
    aliceP = await TestClient.login(proxy.url, a.userId, a.password);
    aliceN = await TestClient.login(synapse.baseUrl, a.userId, a.password);
  }, 120_000);

  afterAll(async () => {
    await replicaB.stop();
    await proxy.stop();
    await synapse.stop();
  });

  /**
   * The same request on both sides (and the proxy's stable endpoint), each continuing its own chain;
   * with the `pos` each side's request carried (what MSC4308 has clients send as `to` when paging).
   */
  async function step(): Promise<{
    ours: unknown;
    theirs: unknown;
    sent: { ours: string | undefined; theirs: string | undefined };
  }> {
    const sent = { ours: posP, theirs: posN };
    const ours = await slidingSync(
      proxy.url,
      aliceP.accessToken,
      BODY,
      posP === undefined ? {} : { pos: posP },
    );
    const stable = await stableSync(proxy.url, aliceP.accessToken, {
      ...STABLE_BODY,
      ...(posS === undefined ? {} : { pos: posS }),
    });
    const theirs = await slidingSync(
      synapse.baseUrl,
      aliceN.accessToken,
      BODY,
      posN === undefined ? {} : { pos: posN },
    );
    expect(ours.status, JSON.stringify(ours.body)).toBe(200);
    expect(stable.status, JSON.stringify(stable.body)).toBe(200);
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(200);
    posP = ours.body.pos;
    posS = stable.body.pos;
    posN = theirs.body.pos;
    // The stable endpoint answers the extension under the same name and in the same shape.
    expect(stable.body.extensions?.[EXT]).toEqual(ours.body.extensions?.[EXT]);
    return { ours: ours.body.extensions?.[EXT], theirs: theirs.body.extensions?.[EXT], sent };
  }

  it('no subscriptions yet: the extension is left out, as Synapse leaves it out', async () => {
    const { ours, theirs } = await step();
    expect(theirs).toBeUndefined();
    expect(ours).toBeUndefined();
  });

  it('a manual subscription made through the proxy', async () => {
    await aliceP.call('PUT', subscriptionPath(room, roots[0] ?? ''), {});
    const { ours, theirs } = await step();
    expect(theirs).toMatchObject({ subscribed: { [room]: { [roots[0] ?? '']: { automatic: false } } } });
    expectSame(ours, theirs);
  });

  it('an automatic subscription and an unsubscription', async () => {
    await aliceP.call('PUT', subscriptionPath(room, roots[1] ?? ''), { automatic: inThread });
    await aliceP.call('DELETE', subscriptionPath(room, roots[0] ?? ''));
    const { ours, theirs } = await step();
    expect(theirs).toMatchObject({
      subscribed: { [room]: { [roots[1] ?? '']: { automatic: true } } },
      unsubscribed: { [room]: { [roots[0] ?? '']: {} } },
    });
    expectSame(ours, theirs);
  });

  it('more changes than the limit: the latest ones and a prev_batch that pages the same gap as Synapse', async () => {
    await aliceP.call('PUT', subscriptionPath(room, roots[2] ?? ''), {});
    await aliceP.call('PUT', subscriptionPath(room, roots[0] ?? ''), {});
    await aliceP.call('PUT', subscriptionPath(room, roots[1] ?? ''), {});
    const { ours, theirs, sent } = await step();
    type Ext = { subscribed: Record<string, Record<string, unknown>>; prev_batch: string };
    const o = ours as Ext;
    const t = theirs as Ext;
    expect(Object.keys(t.subscribed[room] ?? {}).sort()).toEqual([roots[0], roots[1]].sort());
    // The proxy's prev_batch is Synapse's token plus where the gap starts (Synapse reads that from `to`).
    expectSame(o, t);

    // Backpaginating as MSC4308 says (from=prev_batch, to=the request's pos), each side with its own tokens.
    const pageOf = async (baseUrl: string, token: string, from: string, to: string | undefined) => {
      const query = new URLSearchParams({ dir: 'b', from, ...(to === undefined ? {} : { to }) });
      const res = await fetch(`${baseUrl}${COMPANION}?${query.toString()}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const ourPage = await pageOf(proxy.url, aliceP.accessToken, o.prev_batch, sent.ours);
    const theirPage = await pageOf(synapse.baseUrl, aliceN.accessToken, t.prev_batch, sent.theirs);
    expect(theirPage.status, JSON.stringify(theirPage.body)).toBe(200);
    expect(theirPage.body).toMatchObject({
      subscribed: { [room]: { [roots[2] ?? '']: { automatic: false } } },
    });
    expect(ourPage).toEqual(theirPage);
  });

  it("the companion endpoint through the proxy: Synapse's answers and errors", async () => {
    const call = async (baseUrl: string, token: string, method: string, search: string) => {
      const res = await fetch(`${baseUrl}${COMPANION}${search}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    for (const [method, search] of [
      ['GET', '?dir=b'],
      ['GET', '?dir=b&limit=1'],
      ['GET', '?dir=b&limit=0'],
      ['GET', '?dir=f'],
      ['GET', ''],
      ['GET', '?dir=b&from=nonsense'],
      ['POST', '?dir=b'],
    ] as const) {
      const ours = await call(proxy.url, aliceP.accessToken, method, search);
      const theirs = await call(synapse.baseUrl, aliceN.accessToken, method, search);
      const label = `${method} ${search}`;
      expect(ours.status, label).toBe(theirs.status);
      if (theirs.status === 200) expect(ours.body, label).toEqual(theirs.body);
      else expect(ours.body['errcode'], label).toBe(theirs.body['errcode']);
    }
  });

  it('nothing new: left out on both sides', async () => {
    const { ours, theirs } = await step();
    expect(theirs).toBeUndefined();
    expect(ours).toBeUndefined();
  });

  it('a new connection gets the latest subscriptions, as Synapse sends a new connection', async () => {
    const fresh = { ...BODY, conn_id: 'threads-fresh' };
    const ours = await slidingSync(proxy.url, aliceP.accessToken, fresh);
    const theirs = await slidingSync(synapse.baseUrl, aliceN.accessToken, fresh);
    expect(ours.status).toBe(200);
    expect(theirs.body.extensions?.[EXT]).toHaveProperty('subscribed');
    expectSame(ours.body.extensions?.[EXT], theirs.body.extensions?.[EXT]);
  });

  it('a waiting long-poll answers a subscription made through the proxy at once', async () => {
    const { body: first } = await slidingSync(proxy.url, aliceP.accessToken, { ...BODY, conn_id: 'wake' });
    const pos = first.pos ?? '';
    // Nothing new: this request waits (timeout 20 s) until something concerns alice.
    const started = Date.now();
    const waiting = slidingSync(
      proxy.url,
      aliceP.accessToken,
      { ...BODY, conn_id: 'wake' },
      {
        pos,
        timeout: '20000',
      },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await aliceP.call('DELETE', subscriptionPath(room, roots[2] ?? ''));
    const answer: SlidingResponse = await waiting;
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(200);
    expect(answer.body.pos).not.toBe(pos);
    expect(answer.body.extensions?.[EXT]).toMatchObject({
      unsubscribed: { [room]: { [roots[2] ?? '']: {} } },
    });
    expect(answer.body.extensions?.[EXT]).not.toHaveProperty('subscribed');
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('a change made around the proxy reaches the client with its next request', async () => {
    const { body: first } = await slidingSync(proxy.url, aliceP.accessToken, { ...BODY, conn_id: 'around' });
    // Straight to Synapse, with the proxy device's token: the proxy never sees it.
    await new TestClient(synapse.baseUrl, aliceP.accessToken, aliceP.userId).call(
      'PUT',
      subscriptionPath(room, roots[2] ?? ''),
      {},
    );
    const next = await slidingSync(
      proxy.url,
      aliceP.accessToken,
      { ...BODY, conn_id: 'around' },
      { pos: first.pos ?? '' },
    );
    expect(next.status).toBe(200);
    expect(next.body.extensions?.[EXT]).toMatchObject({
      subscribed: { [room]: { [roots[2] ?? '']: { automatic: false } } },
    });
  });

  it('a change through one replica wakes a long-poll waiting on another', async () => {
    const body = { ...BODY, conn_id: 'wake-b' };
    const { body: first } = await slidingSync(replicaB.url, aliceP.accessToken, body);
    const pos = first.pos ?? '';
    const started = Date.now();
    const waiting = slidingSync(replicaB.url, aliceP.accessToken, body, { pos, timeout: '20000' });
    await new Promise((r) => setTimeout(r, 1_000));
    // aliceP's calls go through the first replica.
    await aliceP.call('DELETE', subscriptionPath(room, roots[2] ?? ''));
    const answer = await waiting;
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(200);
    expect(answer.body.extensions?.[EXT]).toMatchObject({
      unsubscribed: { [room]: { [roots[2] ?? '']: {} } },
    });
    expect(elapsed).toBeLessThan(10_000);
  });

  it('a limit of 0 leaves the extension out, as Synapse does', async () => {
    const body = { ...BODY, conn_id: 'zero', extensions: { [EXT]: { enabled: true, limit: 0 } } };
    const ours = await slidingSync(proxy.url, aliceP.accessToken, body);
    const theirs = await slidingSync(synapse.baseUrl, aliceN.accessToken, body);
    expect([ours.status, theirs.status]).toEqual([200, 200]);
    expect(theirs.body.extensions?.[EXT]).toBeUndefined();
    expect(ours.body.extensions?.[EXT]).toBeUndefined();
  });

  it('a malformed extension is refused with the error Synapse gives', async () => {
    for (const ext of [[], { enabled: 1 }, { enabled: true, limit: '5' }, { enabled: true, limit: 1.5 }]) {
      const body = { ...BODY, conn_id: 'bad', extensions: { [EXT]: ext } };
      const ours = await slidingSync(proxy.url, aliceP.accessToken, body);
      const theirs = await slidingSync(synapse.baseUrl, aliceN.accessToken, body);
      expect(theirs.status, JSON.stringify(ext)).toBe(400);
      expect([ours.status, ours.body.errcode], JSON.stringify(ext)).toEqual([
        theirs.status,
        theirs.body.errcode,
      ]);
    }
  });
});
