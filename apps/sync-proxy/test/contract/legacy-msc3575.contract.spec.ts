import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type Synapse } from '@gateway/testing';
import { TestClient } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

const LEGACY = '/_matrix/client/unstable/org.matrix.msc3575/sync';

interface LegacyAnswer {
  pos?: string;
  txn_id?: string;
  errcode?: string;
  lists?: Record<
    string,
    { count: number; ops?: { op: string; room_ids?: string[]; index?: number; room_id?: string }[] }
  >;
  rooms?: Record<string, { timestamp?: number; timeline?: { event_id: string }[] }>;
}

// The Go proxy's MSC3575 protocol for older clients: sticky parameters, list operations, txn_id echo.
describe('legacy MSC3575 endpoint', () => {
  let synapse: Synapse;
  let proxy: ProxyUnderTest;
  let alice: TestClient & { deviceId: string };
  let bob: TestClient;
  let first: string;
  let second: string;

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    const aliceMain = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    first = await bob.createRoom({ preset: 'public_chat', name: 'First' });
    second = await bob.createRoom({ preset: 'public_chat', name: 'Second' });
    await aliceMain.join(first);
    await aliceMain.join(second);
    await bob.send(second, 'latest');
    alice = await TestClient.login(synapse.baseUrl, a.userId, a.password);
    proxy = await startProxy(synapse.baseUrl);
  }, 120_000);

  afterAll(async () => {
    await proxy.stop();
    await synapse.stop();
  });

  async function legacy(
    body: unknown,
    query: Record<string, string> = {},
  ): Promise<{ status: number; body: LegacyAnswer }> {
    const qs = new URLSearchParams(query).toString();
    const res = await fetch(`${proxy.url}${LEGACY}${qs === '' ? '' : `?${qs}`}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as LegacyAnswer };
  }

  it('keeps list parameters between requests and sends operations only when the window changes', async () => {
    const r1 = await legacy({
      txn_id: 't1',
      lists: { a: { ranges: [[0, 9]], required_state: [['m.room.name', '']], timeline_limit: 2 } },
    });
    expect(r1.status).toBe(200);
    expect(r1.body.txn_id).toBe('t1');
    expect(r1.body.lists?.['a']?.ops?.[0]?.room_ids).toEqual([second, first]);
    expect(typeof r1.body.rooms?.[second]?.timestamp).toBe('number');

    // Nothing changed and nothing resent: the list keeps its ranges without ops.
    const r2 = await legacy({}, { pos: r1.body.pos ?? '', timeout: '0' });
    expect(r2.status).toBe(200);
    expect(r2.body.lists?.['a']).toEqual({ count: 2 });
    expect(r2.body.rooms).toEqual({});

    // A message moves the older room to the top: the window changes, with the room's new event.
    const pending = legacy({}, { pos: r2.body.pos ?? '', timeout: '20000' });
    await new Promise((r) => setTimeout(r, 200));
    const eventId = await bob.send(first, 'now first');
    const r3 = await pending;
    // As the Go proxy: the room moves up with a DELETE/INSERT pair rather than a SYNC of the window.
    expect(r3.body.lists?.['a']?.ops).toEqual([
      { op: 'DELETE', index: 1 },
      { op: 'INSERT', index: 0, room_id: first },
    ]);
    expect(r3.body.rooms?.[first]?.timeline?.map((e) => e.event_id)).toEqual([eventId]);

    const r4 = await legacy({ lists: { a: { deleted: true } } }, { pos: r3.body.pos ?? '', timeout: '0' });
    expect(r4.body.lists).toEqual({});
  });

  it('sorts a list by name when it asks to, whatever was active last', async () => {
    const byName = {
      conn_id: 'by-name',
      lists: { n: { ranges: [[0, 9]], sort: ['by_name'], timeline_limit: 1 } },
    };
    const r1 = await legacy(byName);
    expect(r1.status).toBe(200);
    expect(r1.body.lists?.['n']?.ops?.[0]?.room_ids).toEqual([first, second]);
    // Second is now the most recent room; by name it stays where it is, so the list has no ops.
    const eventId = await bob.send(second, 'second is newest');
    const r2 = await legacy({ conn_id: 'by-name' }, { pos: r1.body.pos ?? '', timeout: '10000' });
    expect(r2.body.rooms?.[second]?.timeline?.map((e) => e.event_id)).toEqual([eventId]);
    expect(r2.body.lists?.['n']).toEqual({ count: 2 });
    const recency = await legacy({
      conn_id: 'recency',
      lists: { r: { ranges: [[0, 9]], timeline_limit: 1 } },
    });
    expect(recency.body.lists?.['r']?.ops?.[0]?.room_ids).toEqual([second, first]);
    const unknown = await legacy({
      conn_id: 'bad-sort',
      lists: { x: { ranges: [[0, 9]], sort: ['by_mood'] } },
    });
    expect({ status: unknown.status, errcode: unknown.body.errcode }).toEqual({
      status: 400,
      errcode: 'M_INVALID_PARAM',
    });
  });

  it('answers an unknown position with M_UNKNOWN_POS', async () => {
    const r = await legacy({}, { pos: '424242', timeout: '0' });
    expect({ status: r.status, errcode: r.body.errcode }).toEqual({ status: 400, errcode: 'M_UNKNOWN_POS' });
  });
});
