import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, type DataSource } from '@gateway/db';
import { SYNC_ENTITIES, SYNC_MIGRATIONS, SyncStore } from '@gateway/sync-data';
import { createTestDatabase, startSynapse, type Synapse, type TestDatabase } from '@gateway/testing';
import { TestClient, slidingSync, type SlidingResponse } from '../support/matrix-client';
import { spawnProxy, type ProxyProcess } from '../support/proxy-process';
import { roundRobin, type RoundRobin } from '../support/round-robin';

const LIST = {
  lists: { all: { ranges: [[0, 9]], timeline_limit: 5, required_state: [['m.room.name', '']] } },
  extensions: { to_device: { enabled: true } },
};

function timelineIds(r: SlidingResponse, roomId: string): string[] {
  return (r.body.rooms?.[roomId]?.timeline ?? []).map((e) => e.event_id);
}

// Two built proxies on one Postgres and one Redis, behind a balancer without affinity; one is later
// killed with SIGKILL. Nothing may be lost or duplicated, and the survivor takes the poller over.
describe('two sync-proxy replicas', () => {
  let synapse: Synapse;
  let db: TestDatabase;
  let ds: DataSource;
  let store: SyncStore;
  let replicas: ProxyProcess[];
  let balancer: RoundRobin;
  let alice: TestClient & { deviceId: string };
  let bob: TestClient;
  let room: string;

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    room = await bob.createRoom({ preset: 'public_chat', name: 'Busy' });
    await new TestClient(synapse.baseUrl, a.accessToken, a.userId).join(room);
    alice = await TestClient.login(synapse.baseUrl, a.userId, a.password);
    db = await createTestDatabase();
    const env = {
      SYNCV3_SERVER: synapse.baseUrl,
      SYNCV3_DB: db.url,
      SYNCV3_SECRET: 'replica-test-secret-0123456789abcdef',
      SYNCV3_REDIS: 'redis://127.0.0.1:6379',
    };
    replicas = await Promise.all([spawnProxy(env), spawnProxy(env)]);
    balancer = await roundRobin(() =>
      replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null).map((r) => r.url),
    );
    ds = createDataSource({ url: db.url, entities: SYNC_ENTITIES, migrations: SYNC_MIGRATIONS, poolSize: 2 });
    await ds.initialize();
    store = new SyncStore(ds);
  }, 120_000);

  afterAll(async () => {
    await balancer.close();
    await Promise.all(replicas.map((r) => r.kill()));
    await ds.destroy();
    await db.drop();
    await synapse.stop();
  });

  const sync = (pos?: string, timeout = '0') =>
    slidingSync(balancer.url, alice.accessToken, LIST, pos === undefined ? {} : { pos, timeout });

  it('serves any pos on either replica, with one poller per device, and wakes across replicas', async () => {
    const sent: string[] = [];
    let r = await sync();
    expect(r.status).toBe(200);
    for (let i = 0; i < 6; i++) {
      const pending = sync(r.body.pos, '20000');
      await new Promise((done) => setTimeout(done, 200));
      sent.push(await bob.send(room, `m${String(i)}`));
      r = await pending;
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(timelineIds(r, room)).toContain(sent.at(-1));
    }
    // Both replicas answered, alternately, and the answers chained.
    expect(new Set(balancer.hits)).toEqual(new Set([0, 1]));
    const owner = await store.devices.owners(alice.userId, alice.deviceId);
    expect(owner).not.toBeNull();
  }, 60_000);

  it('takes the poller over within 30 s when its replica is killed, losing nothing', async () => {
    const owner = await store.devices.owners(alice.userId, alice.deviceId);
    // Which child is the owner: its pid is part of the owner id.
    const victim = replicas.find((p) => owner?.includes(`-${String(p.child.pid)}-`));
    expect(victim).toBeDefined();
    let r = await sync();
    await victim?.kill('SIGKILL');
    const killedAt = Date.now();
    const eventId = await bob.send(room, 'after the crash');
    await bob.sendToDevice('m.test', { [alice.userId]: { [alice.deviceId]: { n: 1 } } });
    const seen: string[] = [];
    let toDevice = 0;
    while ((!seen.includes(eventId) || toDevice === 0) && Date.now() - killedAt < 40_000) {
      r = await sync(r.body.pos, '5000');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      seen.push(...timelineIds(r, room));
      toDevice += ((r.body.extensions?.['to_device']?.['events'] ?? []) as unknown[]).length;
    }
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(seen.filter((id) => id === eventId)).toHaveLength(1);
    expect(toDevice).toBe(1);
    const newOwner = await store.devices.owners(alice.userId, alice.deviceId);
    expect(newOwner).not.toBe(owner);
    expect(newOwner).not.toBeNull();
  }, 60_000);
});
