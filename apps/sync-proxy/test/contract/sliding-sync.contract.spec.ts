import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type Synapse } from '@gateway/testing';
import { TestClient, slidingSync, type SlidingResponse } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// Element X's room-list request (rust-sdk), the shape the proxy must serve first and fast.
const ELEMENT_X_STATE = [
  ['m.room.name', ''],
  ['m.room.encryption', ''],
  ['m.room.member', '$LAZY'],
  ['m.room.member', '$ME'],
  ['m.room.topic', ''],
  ['m.room.avatar', ''],
  ['m.room.canonical_alias', ''],
  ['m.room.power_levels', ''],
  ['m.room.join_rules', ''],
  ['m.room.tombstone', ''],
  ['m.room.create', ''],
  ['m.room.history_visibility', ''],
  ['m.space.parent', '*'],
  ['m.space.child', '*'],
];

const listRequest = (extra: Record<string, unknown> = {}) => ({
  conn_id: 'room-list',
  lists: { all: { ranges: [[0, 19]], timeline_limit: 1, required_state: ELEMENT_X_STATE } },
  ...extra,
});

function stateKeys(room: Record<string, unknown> | undefined): string[] {
  const state = (room?.['required_state'] ?? []) as { type: string; state_key: string }[];
  return state.map((e) => `${e.type}|${e.state_key}`).sort();
}

function timelineIds(room: Record<string, unknown> | undefined): string[] {
  return ((room?.['timeline'] ?? []) as { event_id: string }[]).map((e) => e.event_id);
}

// The proxy against Synapse 1.160's own sliding sync, with one scenario built through the C-S API.
// alice/P talks to the proxy and alice/N to Synapse: separate devices, because the proxy's poller
// consumes its device's to-device queue.
describe('sliding sync through the proxy, compared with Synapse native', () => {
  let synapse: Synapse;
  let proxy: ProxyUnderTest;
  let aliceP: TestClient & { deviceId: string };
  let alicePassword: string;
  let aliceN: TestClient & { deviceId: string };
  let alice: TestClient;
  let bob: TestClient;
  let general: string;
  let dm: string;
  let invite: string;
  let space: string;
  const messages: string[] = [];

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    alice = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    general = await alice.createRoom({ preset: 'private_chat', name: 'General', topic: 'talk' });
    await alice.invite(general, bob.userId);
    await bob.join(general);
    for (let i = 0; i < 30; i++)
      messages.push(await (i % 2 === 0 ? alice : bob).send(general, `message ${String(i)}`));
    dm = await alice.createRoom({ preset: 'trusted_private_chat', is_direct: true, invite: [bob.userId] });
    await bob.join(dm);
    await alice.accountData('m.direct', { [bob.userId]: [dm] });
    await bob.send(dm, 'hello alice');
    invite = await bob.createRoom({ preset: 'private_chat', name: 'Invitation' });
    await bob.invite(invite, alice.userId);
    space = await alice.createRoom({
      preset: 'private_chat',
      name: 'Space',
      creation_content: { type: 'm.space' },
    });
    await alice.state(space, 'm.space.child', general, { via: ['localhost'] });
    alicePassword = a.password;
    aliceP = await TestClient.login(synapse.baseUrl, alice.userId, a.password);
    aliceN = await TestClient.login(synapse.baseUrl, alice.userId, a.password);
    proxy = await startProxy(synapse.baseUrl);
  }, 120_000);

  afterAll(async () => {
    await proxy.stop();
    await synapse.stop();
  });

  const viaProxy = (body: unknown, query: Record<string, string> = {}, token = aliceP.accessToken) =>
    slidingSync(proxy.url, token, body, query);
  const native = (body: unknown, query: Record<string, string> = {}) =>
    slidingSync(synapse.baseUrl, aliceN.accessToken, body, query);

  let first: SlidingResponse;
  let firstNative: SlidingResponse;

  it('answers the first Element X request with the same rooms, order and state as Synapse', async () => {
    first = await viaProxy(listRequest());
    firstNative = await native(listRequest());
    expect(first.status).toBe(200);
    expect(firstNative.status).toBe(200);
    const ours = first.body.lists?.['all'];
    const theirs = firstNative.body.lists?.['all'];
    expect(ours?.count).toBe(theirs?.count);
    expect(ours?.ops?.[0]?.room_ids).toEqual(theirs?.ops?.[0]?.room_ids);
    expect(Object.keys(first.body.rooms ?? {}).sort()).toEqual(
      Object.keys(firstNative.body.rooms ?? {}).sort(),
    );
    for (const roomId of [general, dm, space]) {
      const p = first.body.rooms?.[roomId];
      const n = firstNative.body.rooms?.[roomId];
      expect(stateKeys(p), roomId).toEqual(stateKeys(n));
      expect(timelineIds(p), roomId).toEqual(timelineIds(n));
      expect(p?.['initial']).toBe(true);
      expect(p?.['joined_count']).toBe(n?.['joined_count']);
      expect(p?.['invited_count']).toBe(n?.['invited_count']);
      expect(p?.['limited']).toBe(n?.['limited']);
      expect(typeof p?.['prev_batch']).toBe('string');
    }
    expect(first.body.rooms?.[general]?.['name']).toBe('General');
    // Real unread counts (Synapse's own sliding sync sends 0): the same as v2 /sync says.
    const v2 = await aliceN.call<{
      rooms: { join: Record<string, { unread_notifications: Record<string, number> }> };
    }>('GET', '/_matrix/client/v3/sync?timeout=0');
    const unread = v2.rooms.join[general]?.unread_notifications;
    expect(unread?.['notification_count']).toBeGreaterThan(0);
    expect(first.body.rooms?.[general]?.['notification_count']).toBe(unread?.['notification_count']);
    expect(first.body.rooms?.[general]?.['highlight_count']).toBe(unread?.['highlight_count']);
    // Synapse sends no name without m.room.name; the proxy computes it (an allowed difference).
    expect(first.body.rooms?.[dm]?.['name']).toBe('bob');
    expect(first.body.rooms?.[dm]?.['is_dm']).toBe(true);
    expect(firstNative.body.rooms?.[dm]?.['is_dm']).toBe(true);
    const inv = first.body.rooms?.[invite];
    expect(inv?.['timeline']).toBeUndefined();
    expect((inv?.['invite_state'] as { type: string }[]).map((e) => e.type)).toContain('m.room.name');
  });

  it('gives the same 20-event timeline for a room subscription, and a prev_batch that paginates', async () => {
    const sub = { room_subscriptions: { [general]: { timeline_limit: 20, required_state: [['*', '*']] } } };
    const ours = await viaProxy({ conn_id: 'sub', ...sub });
    const theirs = await native({ conn_id: 'sub', ...sub });
    const p = ours.body.rooms?.[general];
    const n = theirs.body.rooms?.[general];
    expect(timelineIds(p)).toEqual(timelineIds(n));
    expect(timelineIds(p)).toEqual(messages.slice(-20));
    expect(p?.['limited']).toBe(true);
    expect(stateKeys(p)).toEqual(stateKeys(n));
    const back = await aliceP.call<{ chunk: { event_id: string }[] }>(
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(general)}/messages?dir=b&limit=5&from=${encodeURIComponent(String(p?.['prev_batch']))}`,
    );
    expect(back.chunk.map((e) => e.event_id)).toEqual(messages.slice(5, 10).reverse());
    // Subscriptions are sticky (matrix-js-sdk sends each once) until unsubscribe_rooms.
    const kept = viaProxy({ conn_id: 'sub' }, { pos: String(ours.body.pos), timeout: '10000' });
    await new Promise((r) => setTimeout(r, 200));
    const news = await alice.send(general, 'still subscribed?');
    const keptAnswer = await kept;
    expect(timelineIds(keptAnswer.body.rooms?.[general])).toEqual([news]);
    const dropped = await viaProxy(
      { conn_id: 'sub', unsubscribe_rooms: [general] },
      { pos: String(keptAnswer.body.pos) },
    );
    await alice.send(general, 'not any more');
    const quiet = await viaProxy({ conn_id: 'sub' }, { pos: String(dropped.body.pos), timeout: '1500' });
    expect(quiet.body.rooms).toEqual({});
  });

  it('fills a first window longer than the stored timeline from the homeserver, as Synapse', async () => {
    // The poller stored the room's last 20 events from its first /sync; 28 asked for: the rest come
    // from /messages, and the window, `limited` and the prev_batch match Synapse's own answer.
    const sub = { room_subscriptions: { [general]: { timeline_limit: 28, required_state: [] } } };
    const ours = await viaProxy({ conn_id: 'cold', ...sub });
    const theirs = await native({ conn_id: 'cold', ...sub });
    const p = ours.body.rooms?.[general];
    const n = theirs.body.rooms?.[general];
    expect(timelineIds(p)).toHaveLength(28);
    expect(timelineIds(p)).toEqual(timelineIds(n));
    expect(p?.['limited']).toBe(n?.['limited']);
    const back = await aliceP.call<{ chunk: { event_id: string }[] }>(
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(general)}/messages?dir=b&limit=3&from=${encodeURIComponent(String(p?.['prev_batch']))}`,
    );
    const oldest = timelineIds(p)[0];
    expect(back.chunk.map((e) => e.event_id)).toEqual(
      messages
        .slice(0, messages.indexOf(oldest ?? ''))
        .slice(-3)
        .reverse(),
    );
  });

  it('wakes a long-poll when a message arrives and sends only the changed room', async () => {
    const started = Date.now();
    // Catch up with what earlier tests sent, then wait for news.
    const caughtUp = await viaProxy(listRequest(), { pos: String(first.body.pos), timeout: '0' });
    const pending = viaProxy(listRequest(), { pos: String(caughtUp.body.pos), timeout: '20000' });
    await new Promise((r) => setTimeout(r, 300));
    const eventId = await bob.send(dm, 'are you there?');
    const next = await pending;
    expect(next.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(Object.keys(next.body.rooms ?? {})).toEqual([dm]);
    const room = next.body.rooms?.[dm];
    expect(timelineIds(room)).toEqual([eventId]);
    expect(room?.['initial']).toBeUndefined();
    expect(room?.['num_live']).toBe(1);
    expect(next.body.lists?.['all']?.ops?.[0]?.room_ids[0]).toBe(dm);
  });

  it('delivers to-device messages until the client acknowledges them', async () => {
    const ext = (since?: string) => ({
      conn_id: 'encryption',
      extensions: {
        to_device: { enabled: true, ...(since === undefined ? {} : { since }) },
        e2ee: { enabled: true },
      },
    });
    const r0 = await viaProxy(ext());
    await bob.sendToDevice('m.test', { [alice.userId]: { [aliceP.deviceId]: { n: 1 } } });
    let events: { content: { n: number } }[] = [];
    let batch = '';
    for (let i = 0; i < 20 && events.length === 0; i++) {
      const r = await viaProxy(ext(), { pos: String(r0.body.pos), timeout: '1000' });
      const td = r.body.extensions?.['to_device'] as { events: typeof events; next_batch: string };
      events = td.events;
      batch = td.next_batch;
    }
    expect(events.map((e) => e.content.n)).toEqual([1]);
    // Not acknowledged: a new connection gets it again.
    const again = await viaProxy(ext());
    expect((again.body.extensions?.['to_device'] as { events: unknown[] }).events).toHaveLength(1);
    // Acknowledged: gone.
    const acked = await viaProxy(ext(batch));
    expect((acked.body.extensions?.['to_device'] as { events: unknown[] }).events).toHaveLength(0);
    expect(acked.body.extensions?.['e2ee']).toHaveProperty('device_one_time_keys_count');
  });

  it('reports one-time-key counts and device-list changes in the e2ee extension', async () => {
    const ext = { conn_id: 'keys', extensions: { e2ee: { enabled: true } } };
    const start = await viaProxy(ext);
    // Keys uploaded through the proxy (forwarded to Synapse), as a client does.
    const upload = await fetch(`${proxy.url}/_matrix/client/v3/keys/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceP.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        one_time_keys: Object.fromEntries(
          ['AAAAAQ', 'AAAAAg'].map((id) => [
            `signed_curve25519:${id}`,
            { key: `key-${id}`, signatures: { [alice.userId]: { [`ed25519:${aliceP.deviceId}`]: 'sig' } } },
          ]),
        ),
      }),
    });
    expect(upload.status).toBe(200);
    // bob, who shares rooms with alice, publishes device keys: alice must hear bob's device list changed.
    await bob.call('POST', '/_matrix/client/v3/keys/upload', {
      device_keys: {
        user_id: bob.userId,
        device_id: (await bob.call<{ device_id: string }>('GET', '/_matrix/client/v3/account/whoami'))
          .device_id,
        algorithms: ['m.olm.v1.curve25519-aes-sha2'],
        keys: {},
        signatures: {},
      },
    });
    let changed: string[] = [];
    let counts: Record<string, number> = {};
    let pos = start.body.pos;
    for (let i = 0; i < 20 && (changed.length === 0 || counts['signed_curve25519'] !== 2); i++) {
      const r = await viaProxy(ext, { pos: String(pos), timeout: '1000' });
      pos = r.body.pos;
      const e2ee = r.body.extensions?.['e2ee'] as {
        device_one_time_keys_count: Record<string, number>;
        device_lists?: { changed: string[] };
      };
      counts = e2ee.device_one_time_keys_count;
      changed = [...changed, ...(e2ee.device_lists?.changed ?? [])];
    }
    expect(counts['signed_curve25519']).toBe(2);
    expect(changed).toContain(bob.userId);
  });

  it('filters lists like Synapse, and by spaces and room_name_like, which Synapse lacks', async () => {
    const lists = (filters: Record<string, unknown>) => ({
      lists: { l: { ranges: [[0, 9]], timeline_limit: 0, required_state: [], filters } },
    });
    const ids = (r: SlidingResponse) => [...(r.body.lists?.['l']?.ops?.[0]?.room_ids ?? [])].sort();
    for (const filters of [
      { is_dm: true },
      { is_invite: true },
      { room_types: ['m.space'] },
      { not_room_types: ['m.space'] },
    ]) {
      expect(ids(await viaProxy(lists(filters))), JSON.stringify(filters)).toEqual(
        ids(await native(lists(filters))),
      );
    }
    expect(ids(await viaProxy(lists({ spaces: [space] })))).toEqual([general]);
    expect(ids(await viaProxy(lists({ room_name_like: 'gene' })))).toEqual([general]);
  });

  it('answers bad requests with the errors Synapse gives', async () => {
    const body = listRequest();
    const cases: [Promise<SlidingResponse>, number, string][] = [
      [viaProxy(body, { pos: '999999' }), 400, 'M_UNKNOWN_POS'],
      [viaProxy(body, { pos: 'abc' }), 400, 'M_UNKNOWN'],
      [viaProxy(body, { timeout: 'soon' }), 400, 'M_INVALID_PARAM'],
      [viaProxy({ lists: { a: { ranges: [[0, 1]] } } }), 400, 'M_MISSING_PARAM'],
      [viaProxy({ lists: [] }), 400, 'M_BAD_JSON'],
      [viaProxy('not json'), 400, 'M_NOT_JSON'],
      [slidingSync(proxy.url, undefined, body), 401, 'M_MISSING_TOKEN'],
      [slidingSync(proxy.url, 'syt_bogus', body), 401, 'M_UNKNOWN_TOKEN'],
    ];
    for (const [pending, status, errcode] of cases) {
      const r = await pending;
      expect({ status: r.status, errcode: r.body.errcode }).toEqual({ status, errcode });
    }
    const get = await fetch(`${proxy.url}/_matrix/client/unstable/org.matrix.simplified_msc3575/sync`, {
      headers: { authorization: `Bearer ${aliceP.accessToken}` },
    });
    expect(get.status).toBe(405);
  });

  it("answers a known user's new device (a login) at once from stored rooms", async () => {
    const q = await TestClient.login(synapse.baseUrl, alice.userId, alicePassword);
    const started = Date.now();
    const r = await slidingSync(proxy.url, q.accessToken, listRequest());
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(Object.keys(r.body.rooms ?? {}).sort()).toEqual(Object.keys(first.body.rooms ?? {}).sort());
    // Its own poller runs (a light first sync without rooms): its to-device messages arrive.
    await bob.sendToDevice('m.test', { [alice.userId]: { [q.deviceId]: { n: 7 } } });
    let got: unknown[] = [];
    let pos = r.body.pos;
    for (let i = 0; i < 20 && got.length === 0; i++) {
      const next = await slidingSync(
        proxy.url,
        q.accessToken,
        { ...listRequest(), extensions: { to_device: { enabled: true } } },
        { pos: String(pos), timeout: '1000' },
      );
      pos = next.body.pos;
      got = (next.body.extensions?.['to_device']?.['events'] ?? []) as unknown[];
    }
    expect(got).toHaveLength(1);
  });

  it('advertises sliding sync in /versions', async () => {
    const res = await fetch(`${proxy.url}/_matrix/client/versions`);
    const body = (await res.json()) as { unstable_features: Record<string, boolean>; versions: string[] };
    expect(body.unstable_features['org.matrix.simplified_msc3575']).toBe(true);
    const direct = (await (await fetch(`${synapse.baseUrl}/_matrix/client/versions`)).json()) as typeof body;
    expect(body.versions).toEqual(direct.versions);
  });
});
