import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations, type DataSource } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { SYNC_ENTITIES, SYNC_MIGRATIONS, SyncStore, parsePollerId, type V2Batch } from '../../src';

const ALICE = '@alice:hs';
const BOB = '@bob:hs';

const emptyBatch = (nextBatch: string): V2Batch => ({
  nextBatch,
  rooms: [],
  toDevice: [],
  accountData: [],
  deviceLists: { changed: [], left: [] },
  otkCounts: undefined,
  fallbackKeyTypes: undefined,
});

// What the admin API shows of pollers and connections, read from the rows every replica writes.
describe('AdminRepository', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: SyncStore;

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, entities: SYNC_ENTITIES, migrations: SYNC_MIGRATIONS, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    store = new SyncStore(ds);
  });
  afterEach(async () => {
    await ds.destroy();
    await db.drop();
  });

  const apply = (userId: string, deviceId: string, since: string | null, next: string) =>
    store.batches.apply({
      userId,
      deviceId,
      owner: 'r1',
      since,
      batch: emptyBatch(next),
      memberships: new Map(),
      bumps: () => true,
      now: Date.now(),
    });

  const states = async () =>
    (await store.admin.pollers({ first: 10 })).items.map((p) => `${p.deviceId}:${p.state}`);

  it('follows a poller from its claim through its first poll, failures and recovery', async () => {
    await store.devices.touch(ALICE, 'D', Buffer.from('h'));
    expect(await states()).toEqual(['D:unleased']);
    await store.devices.claim(ALICE, 'D', 'r1', 20_000);
    expect(await states()).toEqual(['D:initial-sync']);
    await apply(ALICE, 'D', null, 's1');
    const [running] = (await store.admin.pollers({ first: 10 })).items;
    expect(running).toMatchObject({
      userId: ALICE,
      deviceId: 'D',
      state: 'running',
      leaseOwner: 'r1',
      consecutiveErrors: 0,
      lastError: null,
    });
    expect(running?.lagSeconds).toBeLessThan(5);
    expect(running?.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now());
    expect(running?.lastPollAt).toBeInstanceOf(Date);

    await store.devices.recordPollError(ALICE, 'D', 'r1', 'upstream answered 502');
    await store.devices.recordPollError(ALICE, 'D', 'r1', 'upstream answered 503');
    // A replica that lost the lease does not record its stale loop's failures.
    await store.devices.recordPollError(ALICE, 'D', 'r2', 'from elsewhere');
    const [failing] = (await store.admin.pollers({ first: 10 })).items;
    expect(failing).toMatchObject({
      state: 'backing-off',
      consecutiveErrors: 2,
      lastError: 'upstream answered 503',
    });

    await apply(ALICE, 'D', 's1', 's2');
    const [recovered] = (await store.admin.pollers({ first: 10 })).items;
    // The count resets; the last error stays for the operator to read.
    expect(recovered).toMatchObject({
      state: 'running',
      consecutiveErrors: 0,
      lastError: 'upstream answered 503',
    });
  });

  it('tells a rejected token and an idle device from a running poller', async () => {
    for (const d of ['A', 'B', 'C']) {
      await store.devices.touch(ALICE, d, Buffer.from(d));
      await store.devices.claim(ALICE, d, 'r1', 20_000);
      await apply(ALICE, d, null, 's1');
    }
    await store.devices.markInvalid(ALICE, 'B', Buffer.from('B'));
    await store.devices.park(ALICE, 'C');
    expect(await states()).toEqual(['A:running', 'B:token-rejected', 'C:idle']);
  });

  it('pages pollers by cursor and filters them by user', async () => {
    for (const [user, device] of [
      [BOB, 'B1'],
      [ALICE, 'A2'],
      [ALICE, 'A1'],
    ] as const)
      await store.devices.touch(user, device, Buffer.from(device));

    const first = await store.admin.pollers({ first: 2 });
    expect(first.items.map((p) => p.deviceId)).toEqual(['A1', 'A2']);
    expect(first).toMatchObject({ hasNext: true, hasPrevious: false, count: 3 });
    expect(parsePollerId(first.items[1]?.id ?? '')).toEqual({ userId: ALICE, deviceId: 'A2' });
    const second = await store.admin.pollers({ first: 2, after: first.items[1]?.id });
    expect(second.items.map((p) => p.deviceId)).toEqual(['B1']);
    expect(second).toMatchObject({ hasNext: false, hasPrevious: true, count: 3 });
    // Back from the second page, and the last page, read backward but listed in order.
    const back = await store.admin.pollers({ last: 2, before: second.items[0]?.id });
    expect(back.items.map((p) => p.deviceId)).toEqual(['A1', 'A2']);
    expect(back).toMatchObject({ hasNext: true, hasPrevious: false });
    const last = await store.admin.pollers({ last: 2 });
    expect(last.items.map((p) => p.deviceId)).toEqual(['A2', 'B1']);
    expect(last).toMatchObject({ hasNext: false, hasPrevious: true });

    const bobs = await store.admin.pollers({ first: 10, userId: BOB });
    expect(bobs.items.map((p) => p.deviceId)).toEqual(['B1']);
    expect(bobs.count).toBe(1);
  });

  it('shows a connection’s position, protocol, rooms and subscriptions from the state last sent', async () => {
    const state = {
      v: 1,
      rooms: [
        ['!a:hs', {}],
        ['!b:hs', {}],
      ],
      subs: [['!a:hs', {}]],
      streams: null,
      proto: 'msc4186',
    };
    const first = await store.snapshot(async ({ connections }) => {
      const conn = await connections.create(ALICE, 'D', 'main');
      await connections.savePending(conn.row.connKey, conn.position, state);
      return conn;
    });
    await store.snapshot(async ({ connections }) => {
      const conn = await connections.create(BOB, 'E', 'notifications');
      await connections.savePending(conn.row.connKey, conn.position, {
        ...state,
        rooms: [],
        subs: [],
      });
    });

    const all = await store.admin.connections({ first: 10 });
    expect(all.count).toBe(2);
    const [alice] = all.items;
    expect(alice).toMatchObject({
      id: String(first.row.connKey),
      userId: ALICE,
      deviceId: 'D',
      connId: 'main',
      protocol: 'msc4186',
      rooms: 2,
      roomSubscriptions: 1,
      acknowledgedPos: null,
    });
    expect(alice?.pos).toBeGreaterThan(0);

    // The client uses the position: it becomes the acknowledged one.
    await store.snapshot(({ connections }) => connections.promote(first.row.connKey));
    const [acked] = (await store.admin.connections({ first: 1 })).items;
    expect(acked?.acknowledgedPos).toBe(alice?.pos);
    expect(acked?.rooms).toBe(2);

    const page = await store.admin.connections({ first: 1 });
    expect(page.hasNext).toBe(true);
    const next = await store.admin.connections({ first: 1, after: page.items[0]?.id });
    expect(next.items.map((c) => c.connId)).toEqual(['notifications']);
    expect(next).toMatchObject({ hasNext: false, hasPrevious: true });
    const back = await store.admin.connections({ last: 1, before: next.items[0]?.id });
    expect(back.items.map((c) => c.connId)).toEqual(['main']);
    expect(back).toMatchObject({ hasNext: true, hasPrevious: false });
    expect((await store.admin.connections({ first: 10, userId: BOB })).items.map((c) => c.userId)).toEqual([
      BOB,
    ]);
  });
});
