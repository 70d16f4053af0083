import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startSynapse, type Synapse, type TestDatabase } from '@gateway/testing';
import { cuttableTcpProxy, type CuttableTcpProxy } from '../support/cuttable-tcp-proxy';
import { TestClient, slidingSync, type SlidingResponse } from '../support/matrix-client';
import { spawnProxy, type ProxyProcess } from '../support/proxy-process';

const BODY = {
  conn_id: 'faults',
  lists: { all: { ranges: [[0, 9]], timeline_limit: 10, required_state: [] } },
  extensions: { to_device: { enabled: true } },
};

// Faults a real deployment meets: the homeserver restarting under the pollers, and Redis going away
// with two replicas. A numbered stream of messages and to-device messages runs through each; at the
// end the client must have every one exactly once.
describe('sync-proxy under faults', () => {
  let synapse: Synapse;
  let db: TestDatabase;
  let redis: CuttableTcpProxy;
  let replicas: ProxyProcess[];
  let alice: TestClient & { deviceId: string };
  let bob: TestClient;
  let room: string;
  const received = new Map<string, number>();
  const toDevice = new Map<number, number>();
  let pos: string | undefined;
  let nonce = 0;
  let lastBatch: string | undefined;

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    room = await bob.createRoom({ preset: 'public_chat' });
    await new TestClient(synapse.baseUrl, a.accessToken, a.userId).join(room);
    alice = await TestClient.login(synapse.baseUrl, a.userId, a.password);
    db = await createTestDatabase();
    redis = await cuttableTcpProxy(6379);
    const env = {
      SYNCV3_SERVER: synapse.baseUrl,
      SYNCV3_DB: db.url,
      SYNCV3_SECRET: 'faults-test-secret-0123456789abcdef',
      SYNCV3_REDIS: `redis://127.0.0.1:${String(redis.port)}`,
    };
    replicas = [await spawnProxy(env), await spawnProxy(env)];
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    await redis.close();
    await db.drop();
    await synapse.stop();
  });

  /** One request on replica `i`, recording what arrived and acknowledging to-device as a client does. */
  async function poll(i: number, timeout: string): Promise<SlidingResponse> {
    const base = replicas[i]?.url ?? '';
    const since = lastBatch;
    const body = {
      ...BODY,
      extensions: { to_device: { enabled: true, ...(since === undefined ? {} : { since }) } },
    };
    const r = await slidingSync(base, alice.accessToken, body, pos === undefined ? {} : { pos, timeout });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    pos = r.body.pos;
    for (const e of r.body.rooms?.[room]?.timeline ?? [])
      received.set(e.event_id, (received.get(e.event_id) ?? 0) + 1);
    const td = r.body.extensions?.['to_device'] as {
      events: { content: { n: number } }[];
      next_batch: string;
    };
    for (const e of td.events) toDevice.set(e.content.n, (toDevice.get(e.content.n) ?? 0) + 1);
    lastBatch = td.next_batch;
    return r;
  }

  async function sendBoth(): Promise<string> {
    const n = ++nonce;
    await bob.sendToDevice('m.test', { [alice.userId]: { [alice.deviceId]: { n } } });
    return bob.send(room, `n${String(n)}`);
  }

  async function drain(i: number, until: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!until() && Date.now() < deadline) await poll(i, '2000');
  }

  it('loses nothing when the homeserver restarts under a long-poll', async () => {
    await poll(0, '0');
    const sent = [await sendBoth()];
    const pending = poll(0, '10000');
    await synapse.restart();
    await pending;
    sent.push(await sendBoth(), await sendBoth());
    await drain(0, () => sent.every((id) => received.has(id)) && toDevice.size === nonce, 40_000);
    for (const id of sent) expect(received.get(id), id).toBe(1);
    expect([...toDevice.values()]).toEqual(Array.from({ length: nonce }, () => 1));
  }, 90_000);

  it('keeps waking long-polls on the other replica while Redis is away, and loses nothing', async () => {
    redis.cut();
    try {
      const sent: string[] = [];
      for (let k = 0; k < 3; k++) {
        const pending = poll(1, '15000');
        await new Promise((r) => setTimeout(r, 200));
        const started = Date.now();
        sent.push(await sendBoth());
        await pending;
        // Without Redis the wake-up comes from the database gap detector (about a second), not the timeout.
        expect(Date.now() - started).toBeLessThan(8_000);
      }
      await drain(1, () => sent.every((id) => received.has(id)) && toDevice.size === nonce, 20_000);
      for (const id of sent) expect(received.get(id), id).toBe(1);
      expect([...toDevice.values()]).toEqual(Array.from({ length: nonce }, () => 1));
    } finally {
      redis.restore();
    }
  }, 90_000);
});
