import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations, type DataSource } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import {
  DEFAULT_PRUNE_LIMITS,
  LeaseLostError,
  SYNC_ENTITIES,
  SYNC_MIGRATIONS,
  SyncStore,
  type ClientEvent,
  type V2Batch,
} from '../../src';
import { PRUNE_LOCK } from '../../src/repositories/prune.repository';

const ALICE = '@alice:hs';
const ROOM = '!room:hs';

function message(n: number): ClientEvent {
  return {
    type: 'm.room.message',
    event_id: `$e${String(n)}`,
    sender: ALICE,
    origin_server_ts: 1_000 + n,
    content: { body: String(n) },
  };
}

function batch(
  nextBatch: string,
  events: ClientEvent[],
  extra: Partial<V2Batch> = {},
  limited = false,
): V2Batch {
  return {
    nextBatch,
    rooms: [
      {
        roomId: ROOM,
        section: 'join',
        state: [],
        timeline: { events, limited, prevBatch: 'pb' },
        summary: {},
        unread: {},
        accountData: [],
        typing: undefined,
        receipts: [],
        strippedState: undefined,
        txnIds: [],
      },
    ],
    toDevice: [],
    accountData: [],
    deviceLists: { changed: [], left: [] },
    otkCounts: undefined,
    fallbackKeyTypes: undefined,
    ...extra,
  };
}

// The storage guarantees the proxy's correctness rests on, on a real Postgres.
describe('sync store', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: SyncStore;

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, entities: SYNC_ENTITIES, migrations: SYNC_MIGRATIONS, poolSize: 4 });
    await ds.initialize();
    await runMigrations(ds);
    store = new SyncStore(ds);
    await store.devices.touch(ALICE, 'D', Buffer.from('h'));
  });
  afterEach(async () => {
    await ds.destroy();
    await db.drop();
  });

  const apply = (since: string | null, b: V2Batch, owner = 'r1') =>
    store.batches.apply({
      userId: ALICE,
      deviceId: 'D',
      owner,
      since,
      batch: b,
      memberships: new Map([[ROOM, { membership: 'join', bySelf: true }]]),
      bumps: (type: string) => type === 'm.room.message',
      now: 10_000,
    });

  it('stores a batch only under the lease and only from the since it answered (exactly once)', async () => {
    await expect(apply(null, batch('s1', [message(1)]))).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.devices.claim(ALICE, 'D', 'r1', 20_000)).not.toBeNull();
    const toDevice = { toDevice: [{ type: 'm.x', sender: '@bob:hs', content: { n: 1 } }] };
    await apply(null, batch('s1', [message(1)], toDevice));
    // A retry of the same response (the process died before it saw the commit) is refused whole.
    await expect(apply(null, batch('s1', [message(1)], toDevice))).rejects.toBeInstanceOf(LeaseLostError);
    // Another replica cannot write while the lease is held.
    await expect(apply('s1', batch('s2', [message(2)]), 'r2')).rejects.toBeInstanceOf(LeaseLostError);
    const inbox = await store.toDevice.ackAndRead(ALICE, 'D', 0, 100);
    expect(inbox.events).toHaveLength(1);
    expect(await store.devices.since(ALICE, 'D')).toBe('s1');
  });

  it('gives concurrent batches distinct, gap-free stream positions', async () => {
    await store.devices.claim(ALICE, 'D', 'r1', 20_000);
    const first = await apply(null, batch('s1', [message(1), message(2)]));
    const second = await apply('s1', batch('s2', [message(3)]));
    expect(second.seq).toBeGreaterThan(first.seq);
    const rows = await store.snapshot((s) =>
      s.reader.timelines([{ roomId: ROOM, fromSeq: -1, toSeq: second.seq, limit: 10 }]),
    );
    expect(rows.map((r) => r.event.event_id)).toEqual(['$e3', '$e2', '$e1']);
  });

  it('says which rooms’ rows of the user a batch changed, and whether their account data did', async () => {
    await store.devices.claim(ALICE, 'D', 'r1', 20_000);
    const first = await apply(null, batch('s1', [message(1)]));
    expect(first).toMatchObject({ rooms: [ROOM], users: [ALICE], userRooms: [ROOM], accountData: false });
    // A message from someone else with new unread counts: the room and the user's row of it.
    const withCounts = batch('s2', [{ ...message(2), sender: '@bob:hs' }]);
    const room = withCounts.rooms[0];
    if (room === undefined) throw new Error('batch without its room');
    room.unread = { notificationCount: 1, highlightCount: 0 };
    expect(await apply('s1', withCounts)).toMatchObject({
      users: [ALICE],
      userRooms: [ROOM],
      accountData: false,
    });
    // A tag on the room: the user changed, not their row of the room.
    const tagged = batch('s3', []);
    const taggedRoom = tagged.rooms[0];
    if (taggedRoom === undefined) throw new Error('batch without its room');
    taggedRoom.accountData = [{ type: 'm.tag', content: { tags: { 'm.favourite': {} } } }];
    expect(await apply('s2', tagged)).toMatchObject({ users: [ALICE], userRooms: [], accountData: true });
    // Only to-device: the user changed, but nothing a room list reads.
    const toDevice = { toDevice: [{ type: 'm.x', sender: '@bob:hs', content: {} }], rooms: [] };
    expect(await apply('s3', batch('s4', [], toDevice))).toMatchObject({
      rooms: [],
      users: [ALICE],
      userRooms: [],
      accountData: false,
    });
  });

  it('hands a dead replica’s devices to another after the lease runs out', async () => {
    await store.devices.claim(ALICE, 'D', 'r1', 200);
    expect(await store.devices.claimOrphans('r2', 20_000, 10, 3_600_000)).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    const taken = await store.devices.claimOrphans('r2', 20_000, 10, 3_600_000);
    expect(taken.map((d) => d.deviceId)).toEqual(['D']);
    expect(await store.devices.renew('r1', 20_000)).toEqual([]);
  });

  it('prunes old timeline rows, leaving a gap marker, and only one replica prunes at a time', async () => {
    await store.devices.claim(ALICE, 'D', 'r1', 20_000);
    await apply(
      null,
      batch(
        's1',
        Array.from({ length: 30 }, (_, i) => message(i)),
      ),
    );
    const limits = { timelineHighWater: 20, keepTimeline: 10, connectionIdleDays: 7, deviceIdleDays: 30 };
    // Another replica in the middle of a prune holds the lock on its own session: this one skips. (Two
    // runs started together did not always overlap, so whether one of them skipped was up to timing.)
    const other = ds.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [PRUNE_LOCK]);
      expect(await store.prune.run(limits)).toBeNull();
      await other.query('SELECT pg_advisory_unlock($1)', [PRUNE_LOCK]);
    } finally {
      await other.release();
    }
    expect((await store.prune.run(limits))?.['timeline']).toBe(20);
    const rows = await store.snapshot(async (s) =>
      s.reader.timelines([{ roomId: ROOM, fromSeq: -1, toSeq: await s.reader.maxSeq(), limit: 100 }]),
    );
    expect(rows).toHaveLength(10);
    expect(rows.at(-1)?.gapBefore).toBe(true);
    expect(rows.at(-1)?.event.event_id).toBe('$e20');
  });

  it('reads a left room as of the leave while members change it, and prunes history nobody needs', async () => {
    const BOB = '@bob:hs';
    const CAROL = '@carol:hs';
    const stateEvent = (
      id: string,
      type: string,
      key: string,
      content: Record<string, unknown>,
      sender = BOB,
    ) => ({
      type,
      state_key: key,
      event_id: id,
      sender,
      origin_server_ts: 1_000,
      content,
    });
    const member = (id: string, user: string, membership: string) =>
      stateEvent(id, 'm.room.member', user, { membership }, user);
    const room = (section: 'join' | 'leave', state: ClientEvent[], events: ClientEvent[]) =>
      ({
        ...batch('x', []).rooms[0],
        section,
        state,
        timeline: { events, limited: false, prevBatch: 'pb' },
      }) as V2Batch['rooms'][number];
    const write = (
      user: string,
      device: string,
      since: string | null,
      next: string,
      r: V2Batch['rooms'][number],
      membership: 'join' | 'leave',
    ) =>
      store.batches.apply({
        userId: user,
        deviceId: device,
        owner: 'r1',
        since,
        batch: { ...batch(next, []), rooms: [r] },
        memberships: new Map([[ROOM, { membership, bySelf: true }]]),
        bumps: () => false,
        now: 10_000,
      });
    await store.devices.claim(ALICE, 'D', 'r1', 20_000);
    await store.devices.touch(BOB, 'E', Buffer.from('b'));
    await store.devices.claim(BOB, 'E', 'r1', 20_000);
    const initialState = [
      stateEvent('$create', 'm.room.create', '', {}),
      stateEvent('$name1', 'm.room.name', '', { name: 'Before' }),
      member('$bobjoin', BOB, 'join'),
    ];
    await write(
      ALICE,
      'D',
      null,
      'a1',
      room('join', initialState, [member('$alicejoin', ALICE, 'join')]),
      'join',
    );
    await write(
      BOB,
      'E',
      null,
      'b1',
      room('join', [...initialState, member('$alicejoin', ALICE, 'join')], []),
      'join',
    );
    await write(ALICE, 'D', 'a1', 'a2', room('leave', [], [member('$aliceleave', ALICE, 'leave')]), 'leave');
    // Bob's poller stores what happens after alice left: a rename, and carol joins.
    await write(
      BOB,
      'E',
      'b1',
      'b2',
      room(
        'join',
        [],
        [
          member('$aliceleave', ALICE, 'leave'),
          stateEvent('$name2', 'm.room.name', '', { name: 'After' }),
          member('$caroljoin', CAROL, 'join'),
        ],
      ),
      'join',
    );

    const read = () =>
      store.snapshot(async (s) => {
        const toSeq = await s.reader.maxSeq();
        const mine = (await s.reader.userRooms(ALICE)).find((r) => r.roomId === ROOM);
        const endsAt = new Map([[ROOM, mine?.visibleToSeq ?? -1]]);
        return {
          state: await s.reader.state([ROOM], { toSeq, endsAt }),
          members: await s.reader.members(
            [
              { roomId: ROOM, userId: CAROL },
              { roomId: ROOM, userId: ALICE },
            ],
            toSeq,
            endsAt,
          ),
          current: await s.reader.state([ROOM], { toSeq }),
        };
      });
    let seen = await read();
    const ids = (rows: { event: { event_id: string } }[]) => rows.map((r) => r.event.event_id).sort();
    expect(ids(seen.state)).toEqual(['$aliceleave', '$bobjoin', '$create', '$name1']);
    expect(ids(seen.members)).toEqual(['$aliceleave']);
    expect(ids(seen.current)).toEqual(['$aliceleave', '$bobjoin', '$caroljoin', '$create', '$name2']);

    // Kept while alice's view needs it, even once old; gone when nobody's leave falls in its span.
    const age = () => ds.query(`UPDATE sync_room_state_history SET replaced_at = now() - interval '2 hours'`);
    const limits = { ...DEFAULT_PRUNE_LIMITS };
    expect((await store.prune.run(limits))?.['stateHistory']).toBe(0);
    await age();
    // Alice's join, replaced by her leave, is not needed to read as of the leave; the old name is.
    expect((await store.prune.run(limits))?.['stateHistory']).toBe(1);
    expect(await ds.query('SELECT event_id FROM sync_room_state_history')).toEqual([{ event_id: '$name1' }]);
    seen = await read();
    expect(ids(seen.state)).toContain('$name1');
    await write(ALICE, 'D', 'a2', 'a3', room('join', [], [member('$alicejoin2', ALICE, 'join')]), 'join');
    await age();
    expect((await store.prune.run(limits))?.['stateHistory']).toBeGreaterThan(0);
    expect(await ds.query('SELECT event_id FROM sync_room_state_history')).toEqual([]);
  });

  it('migrates once when several replicas start together', async () => {
    const fresh = await createTestDatabase();
    const sources = [1, 2, 3].map(() =>
      createDataSource({ url: fresh.url, entities: SYNC_ENTITIES, migrations: SYNC_MIGRATIONS, poolSize: 2 }),
    );
    try {
      await Promise.all(sources.map((s) => s.initialize()));
      const applied = await Promise.all(sources.map((s) => runMigrations(s)));
      expect(applied.flat()).toHaveLength(SYNC_MIGRATIONS.length);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
      await fresh.drop();
    }
  });
});
