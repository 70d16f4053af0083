import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type Synapse } from '@gateway/testing';
import { TestClient } from '../support/matrix-client';
import { StableSyncClient } from '../support/stable-sync-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// A client of the stable API (MSC4186 as merged) reaches a synced state through the proxy's /v4/sync
// against a real Synapse: it pages its list to the end, subscribes to a room for history, and sees a
// new message through a long-poll. No npm client speaks /v4/sync (matrix-js-sdk 43 uses the unstable
// path), so the client is a small one written from the proposal (test/support/stable-sync-client.ts).
describe('a stable-API client through /v4/sync', () => {
  let synapse: Synapse;
  let proxy: ProxyUnderTest;
  let alice: TestClient;
  let bob: TestClient;
  const rooms: string[] = [];

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    const a = await synapse.registerUser('stable-alice');
    const b = await synapse.registerUser('stable-bob');
    alice = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    for (let i = 0; i < 5; i++) {
      const id = await bob.createRoom({ preset: 'public_chat', name: `Room ${String(i)}` });
      await alice.join(id);
      await bob.send(id, `first in ${String(i)}`);
      rooms.push(id);
    }
    proxy = await startProxy(synapse.baseUrl);
  }, 120_000);

  afterAll(async () => {
    await proxy.stop();
    await synapse.stop();
  });

  it('pages the whole room list, subscribes for history, and receives a message by long-poll', async () => {
    const client = new StableSyncClient(proxy.url, alice.accessToken, 2);
    await client.syncUntilComplete();
    expect(client.count).toBe(5);
    expect([...client.rooms.keys()].sort()).toEqual([...rooms].sort());
    for (const [id, room] of client.rooms) {
      expect(room.membership, id).toBe('join');
      expect(room.name, id).toMatch(/^Room \d$/);
      expect(room.lists).toEqual(['all']);
      expect(room.state.has('m.room.create|'), id).toBe(true);
    }

    // A room subscription with a larger timeline brings history for that room.
    const target = rooms[0] ?? '';
    client.subscribe(target, 20);
    await client.sync();
    expect(client.rooms.get(target)?.timeline.some((e) => e.content['body'] === 'first in 0')).toBe(true);

    // A long-poll answers when bob writes.
    const waiting = client.sync(20_000);
    await new Promise((r) => setTimeout(r, 500));
    const sent = await bob.send(target, 'live');
    const deadline = Date.now() + 20_000;
    let answer = await waiting;
    while (!client.rooms.get(target)?.timeline.some((e) => e.event_id === sent) && Date.now() < deadline)
      answer = await client.sync(5_000);
    expect(client.rooms.get(target)?.timeline.at(-1)?.event_id).toBe(sent);
    expect(answer['rooms']).toBeDefined();
    expect(client.restarts).toBe(0);
  }, 90_000);
});
