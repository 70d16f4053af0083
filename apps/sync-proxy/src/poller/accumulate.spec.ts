import type { RoomDelta } from '@gateway/sync-data';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { accumulate, membershipOf, v2Filter } from './accumulate';

const ME = '@alice:example.org';
const BOB = '@bob:example.org';
const ROOM = '!jEsUZKDJdhlrceRyVU:example.org';
const INVITE_ROOM = '!invited:example.org';
const BANNED_ROOM = '!banned:example.org';

function member(userId: string, membership: string, eventId: string, ts: number): Record<string, unknown> {
  return {
    type: 'm.room.member',
    state_key: userId,
    sender: userId,
    event_id: eventId,
    origin_server_ts: ts,
    content: { membership, displayname: userId.slice(1, 4) },
    unsigned: { age: 1234 },
  };
}

function message(
  eventId: string,
  body: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'm.room.message',
    sender: BOB,
    event_id: eventId,
    origin_server_ts: 1_700_000_000_000,
    content: { msgtype: 'm.text', body },
    unsigned: { age: 50 },
    ...extra,
  };
}

/** A response as Synapse sends it for an incremental sync, trimmed to what the proxy reads. */
function fullResponse(): Record<string, unknown> {
  return {
    next_batch: 's72595_4483_1934',
    rooms: {
      join: {
        [ROOM]: {
          summary: { 'm.heroes': [BOB], 'm.joined_member_count': 2, 'm.invited_member_count': 0 },
          state: {
            events: [
              {
                type: 'm.room.create',
                state_key: '',
                sender: BOB,
                event_id: '$create',
                origin_server_ts: 1_600_000_000_000,
                content: { room_version: '10', creator: BOB },
                room_id: ROOM,
              },
              member(BOB, 'join', '$bobjoin', 1_600_000_000_001),
            ],
          },
          timeline: {
            events: [
              member(ME, 'join', '$mejoin', 1_700_000_000_000),
              message('$m1', 'hello', { room_id: ROOM }),
              message('$m2', 'sent by me', {
                sender: ME,
                unsigned: { age: 10, transaction_id: 'm1700000000000.0' },
              }),
              message('$m1', 'duplicate of the first'),
            ],
            limited: true,
            prev_batch: 't34-23535_0_0',
          },
          ephemeral: {
            events: [
              { type: 'm.typing', content: { user_ids: [BOB] } },
              {
                type: 'm.receipt',
                content: {
                  $m1: {
                    'm.read': { [BOB]: { ts: 1_700_000_000_100 } },
                    'm.read.private': { [ME]: { ts: 1_700_000_000_200 } },
                  },
                  $m2: {
                    'm.read': { [BOB]: { ts: 1_700_000_000_300, thread_id: 'main' } },
                    'm.fully_read': { [BOB]: { ts: 1 } },
                  },
                },
              },
            ],
          },
          account_data: { events: [{ type: 'm.fully_read', content: { event_id: '$m1' } }] },
          unread_notifications: { notification_count: 3, highlight_count: 1 },
        },
      },
      invite: {
        [INVITE_ROOM]: {
          invite_state: {
            events: [
              { type: 'm.room.name', state_key: '', sender: BOB, content: { name: 'Secret' } },
              {
                type: 'm.room.member',
                state_key: ME,
                sender: BOB,
                content: { membership: 'invite' },
                event_id: '$invite',
                origin_server_ts: 1_700_000_000_500,
              },
            ],
          },
        },
      },
      leave: {
        [BANNED_ROOM]: {
          state: { events: [member(ME, 'join', '$oldjoin', 1_650_000_000_000)] },
          timeline: {
            events: [{ ...member(ME, 'ban', '$ban', 1_700_000_000_600), sender: BOB }],
            limited: false,
          },
          account_data: { events: [] },
        },
      },
    },
    to_device: {
      events: [
        {
          type: 'm.room.encrypted',
          sender: BOB,
          content: { algorithm: 'm.olm.v1.curve25519-aes-sha2', ciphertext: {}, sender_key: 'abc' },
        },
        { type: 'm.room_key_request', sender: BOB, content: { action: 'request', request_id: 'r1' } },
      ],
    },
    account_data: {
      events: [
        { type: 'm.push_rules', content: { global: { override: [], underride: [] } } },
        { type: 'm.direct', content: { [BOB]: [ROOM] } },
      ],
    },
    device_lists: { changed: [BOB], left: ['@carol:example.org'] },
    device_one_time_keys_count: { signed_curve25519: 50 },
    device_unused_fallback_key_types: ['signed_curve25519'],
  };
}

function room(batch: ReturnType<typeof accumulate>, roomId: string): RoomDelta {
  const found = batch.rooms.find((r) => r.roomId === roomId);
  if (found === undefined) throw new Error(`no delta for ${roomId}`);
  return found;
}

describe('accumulate: a well-formed response', () => {
  const input = fullResponse();
  const snapshot = structuredClone(input);
  const batch = accumulate(input);

  it('does not mutate its input', () => {
    expect(input).toEqual(snapshot);
  });

  it('carries the batch token and the global parts', () => {
    expect(batch.nextBatch).toBe('s72595_4483_1934');
    expect(batch.toDevice.map((e) => e['type'])).toEqual(['m.room.encrypted', 'm.room_key_request']);
    expect(batch.accountData).toEqual([
      { type: 'm.push_rules', content: { global: { override: [], underride: [] } } },
      { type: 'm.direct', content: { [BOB]: [ROOM] } },
    ]);
    expect(batch.deviceLists).toEqual({ changed: [BOB], left: ['@carol:example.org'] });
    expect(batch.otkCounts).toEqual({ signed_curve25519: 50 });
    expect(batch.fallbackKeyTypes).toEqual(['signed_curve25519']);
  });

  it('orders leave before the other sections', () => {
    expect(batch.rooms.map((r) => [r.section, r.roomId])).toEqual([
      ['leave', BANNED_ROOM],
      ['join', ROOM],
      ['invite', INVITE_ROOM],
    ]);
  });

  it('keeps the joined room state, without room_id', () => {
    const joined = room(batch, ROOM);
    expect(joined.state.map((e) => e.event_id)).toEqual(['$create', '$bobjoin']);
    expect(joined.state[0]).not.toHaveProperty('room_id');
    expect(joined.state[0]?.state_key).toBe('');
  });

  it('dedupes the timeline, strips room_id and transaction ids, keeps state keys', () => {
    const joined = room(batch, ROOM);
    expect(joined.timeline.events.map((e) => e.event_id)).toEqual(['$mejoin', '$m1', '$m2']);
    expect(joined.timeline.events[1]?.content['body']).toBe('hello');
    expect(joined.timeline.events[1]).not.toHaveProperty('room_id');
    expect(joined.timeline.events[0]?.state_key).toBe(ME);
    expect(joined.timeline.events[2]?.unsigned).toEqual({ age: 10 });
    expect(joined.txnIds).toEqual([{ eventId: '$m2', txnId: 'm1700000000000.0' }]);
    expect(joined.timeline.limited).toBe(true);
    expect(joined.timeline.prevBatch).toBe('t34-23535_0_0');
  });

  it('reads summary, unread counts, typing and room account data', () => {
    const joined = room(batch, ROOM);
    expect(joined.summary).toEqual({ heroes: [BOB], joinedCount: 2, invitedCount: 0 });
    expect(joined.unread).toEqual({ notificationCount: 3, highlightCount: 1 });
    expect(joined.typing).toEqual([BOB]);
    expect(joined.accountData).toEqual([{ type: 'm.fully_read', content: { event_id: '$m1' } }]);
    expect(joined.strippedState).toBeUndefined();
  });

  it('flattens public, private and threaded read receipts, ignoring other types', () => {
    expect(room(batch, ROOM).receipts).toEqual([
      { eventId: '$m1', userId: BOB, receiptType: 'm.read', threadId: null, ts: 1_700_000_000_100 },
      { eventId: '$m1', userId: ME, receiptType: 'm.read.private', threadId: null, ts: 1_700_000_000_200 },
      { eventId: '$m2', userId: BOB, receiptType: 'm.read', threadId: 'main', ts: 1_700_000_000_300 },
    ]);
  });

  it('keeps invite_state as stripped state', () => {
    const invite = room(batch, INVITE_ROOM);
    expect(invite.strippedState?.map((e) => e.type)).toEqual(['m.room.name', 'm.room.member']);
    expect(invite.state).toEqual([]);
    expect(invite.timeline.events).toEqual([]);
    expect(membershipOf(invite, ME)).toBe('invite');
  });

  it('tells a ban apart from a leave', () => {
    const banned = room(batch, BANNED_ROOM);
    expect(banned.timeline.limited).toBe(false);
    expect(banned.timeline.prevBatch).toBeUndefined();
    expect(banned.typing).toBeUndefined();
    expect(membershipOf(banned, ME)).toBe('ban');
    expect(membershipOf(banned, BOB)).toBe('leave');
    expect(membershipOf(room(batch, ROOM), ME)).toBe('join');
  });
});

describe('accumulate: sections absent', () => {
  it('reports absent optional parts as undefined or empty', () => {
    expect(accumulate({ next_batch: 'b' })).toEqual({
      nextBatch: 'b',
      rooms: [],
      toDevice: [],
      accountData: [],
      deviceLists: { changed: [], left: [] },
      otkCounts: undefined,
      fallbackKeyTypes: undefined,
    });
  });

  it('reads knock_state for knocks', () => {
    const batch = accumulate({
      next_batch: 'b',
      rooms: {
        knock: {
          '!k:x': {
            knock_state: { events: [{ type: 'm.room.join_rules', state_key: '', sender: BOB, content: {} }] },
          },
        },
      },
    });
    expect(batch.rooms[0]?.strippedState).toHaveLength(1);
    expect(membershipOf(batch.rooms[0]!, ME)).toBe('knock');
  });
});

describe('accumulate: malformed input', () => {
  it.each([null, undefined, 1, 'x', [], [{ next_batch: 'b' }], {}, { next_batch: 5 }, { next_batch: null }])(
    'throws only for a missing next_batch (%j)',
    (input) => {
      expect(() => accumulate(input)).toThrow(/^malformed sync response: /);
    },
  );

  it('ignores sections of the wrong type at the top level', () => {
    const batch = accumulate({
      next_batch: 'b',
      rooms: [],
      to_device: 'x',
      account_data: { events: {} },
      device_lists: [BOB],
      device_one_time_keys_count: [1],
      device_unused_fallback_key_types: 'signed_curve25519',
    });
    expect(batch.rooms).toEqual([]);
    expect(batch.toDevice).toEqual([]);
    expect(batch.accountData).toEqual([]);
    expect(batch.deviceLists).toEqual({ changed: [], left: [] });
    expect(batch.otkCounts).toBeUndefined();
    expect(batch.fallbackKeyTypes).toBeUndefined();
  });

  it('filters wrong entries inside global lists and maps', () => {
    const batch = accumulate(
      JSON.parse(
        JSON.stringify({
          next_batch: 'b',
          to_device: {
            events: [null, { type: 'm.x', sender: BOB }, { type: 'm.x', sender: BOB, content: {} }],
          },
          account_data: {
            events: [{ type: 'm.direct' }, { type: '', content: {} }, { type: 'm.ok', content: {} }],
          },
          device_lists: { changed: [BOB, 5, 'nobody', null], left: null },
          device_one_time_keys_count: { signed_curve25519: 3, bad: 'x', neg: -1, frac: 1.5 },
          device_unused_fallback_key_types: ['signed_curve25519', 7],
        }).replace('"bad"', '"__proto__"'),
      ),
    );
    expect(batch.toDevice).toEqual([{ type: 'm.x', sender: BOB, content: {} }]);
    expect(batch.accountData).toEqual([{ type: 'm.ok', content: {} }]);
    expect(batch.deviceLists).toEqual({ changed: [BOB], left: [] });
    expect(batch.otkCounts).toEqual({ signed_curve25519: 3 });
    expect(batch.fallbackKeyTypes).toEqual(['signed_curve25519']);
  });

  it('skips rooms with invalid ids, including __proto__, without polluting anything', () => {
    const raw = `{"next_batch":"b","rooms":{"join":{"__proto__":{"polluted":true},"constructor":{},"":{},"!":{},
      "#alias:x":{},"!ok:x":{"timeline":{"events":[]}},"!notobj:x":[1]},"__proto__":{"join":{"!p:x":{}}}}}`;
    const batch = accumulate(JSON.parse(raw));
    expect(batch.rooms.map((r) => r.roomId)).toEqual(['!ok:x']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('keeps a __proto__ key inside content as plain data', () => {
    const raw = `{"next_batch":"b","rooms":{"join":{"!r:x":{"timeline":{"events":[{"type":"m.x","event_id":"$e",
      "sender":"@u:x","origin_server_ts":1,"content":{"__proto__":{"evil":1}},"unsigned":{"__proto__":{"evil":1}},
      "__proto__":{"evil":1}}]}}}}}`;
    const event = accumulate(JSON.parse(raw)).rooms[0]?.timeline.events[0];
    expect(event?.event_id).toBe('$e');
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(event?.unsigned)).toBe(Object.prototype);
    expect(Object.hasOwn(event!, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['evil']).toBeUndefined();
  });

  it('drops receipts for anything that is not an event id (a hostile server’s __proto__)', () => {
    const raw = `{"next_batch":"b","rooms":{"join":{"!r:x":{"ephemeral":{"events":[{"type":"m.receipt","content":{
      "__proto__":{"m.read":{"@u:x":{"ts":1}}},"notanid":{"m.read":{"@u:x":{"ts":1}}},
      "$ok":{"m.read":{"@u:x":{"ts":2}}}}}]}}}}}`;
    const receipts = accumulate(JSON.parse(raw)).rooms[0]?.receipts ?? [];
    expect(receipts.map((r) => r.eventId)).toEqual(['$ok']);
  });

  it('skips events missing required fields', () => {
    const good = message('$good', 'ok');
    const broken = [
      null,
      [],
      'event',
      { ...good, event_id: undefined },
      { ...good, event_id: 5 },
      { ...good, event_id: '' },
      { ...good, type: null },
      { ...good, sender: [] },
      { ...good, origin_server_ts: '1700000000000' },
      { ...good, origin_server_ts: Number.NaN },
      { ...good, content: null },
      { ...good, content: [] },
      { ...good, content: 'body' },
      { ...good, state_key: 5 },
    ];
    const batch = accumulate({
      next_batch: 'b',
      rooms: {
        join: {
          [ROOM]: {
            state: { events: [...broken, good, { ...good, event_id: '$state', state_key: '' }] },
            timeline: { events: [...broken, good], limited: 'yes', prev_batch: 7 },
          },
        },
      },
    });
    const delta = room(batch, ROOM);
    // The state block needs a state_key, so the message event does not count there.
    expect(delta.state.map((e) => e.event_id)).toEqual(['$state']);
    expect(delta.timeline.events.map((e) => e.event_id)).toEqual(['$good']);
    expect(delta.timeline.limited).toBe(false);
    expect(delta.timeline.prevBatch).toBeUndefined();
  });

  it('drops a non-object unsigned and a non-string transaction id', () => {
    const batch = accumulate({
      next_batch: 'b',
      rooms: {
        join: {
          [ROOM]: {
            timeline: {
              events: [
                message('$a', 'a', { unsigned: 'x' }),
                message('$b', 'b', { unsigned: { transaction_id: 42, age: 1 } }),
              ],
            },
          },
        },
      },
    });
    const delta = room(batch, ROOM);
    expect(delta.timeline.events[0]).not.toHaveProperty('unsigned');
    expect(delta.timeline.events[1]?.unsigned).toEqual({ age: 1 });
    expect(delta.txnIds).toEqual([]);
  });

  it('drops malformed summary, unread, stripped state and ephemeral parts', () => {
    const batch = accumulate({
      next_batch: 'b',
      rooms: {
        join: {
          [ROOM]: {
            summary: { 'm.heroes': 'bob', 'm.joined_member_count': -1, 'm.invited_member_count': '2' },
            unread_notifications: { notification_count: 1.5, highlight_count: null },
            ephemeral: {
              events: [
                null,
                { type: 'm.typing' },
                { type: 'm.typing', content: { user_ids: 'bob' } },
                { type: 'm.receipt', content: [] },
                {
                  type: 'm.receipt',
                  content: {
                    $e: {
                      'm.read': {
                        [BOB]: { ts: 'soon', thread_id: 5 },
                        notauser: { ts: 1 },
                        [ME]: null,
                      },
                      'm.read.private': [],
                    },
                    $f: 'x',
                  },
                },
              ],
            },
          },
        },
        invite: { '!i:x': { invite_state: { events: [{ type: 'm.room.name', content: {} }, 5] } } },
      },
    });
    const joined = room(batch, ROOM);
    expect(joined.summary).toEqual({});
    expect(joined.unread).toEqual({});
    expect(joined.typing).toBeUndefined();
    expect(joined.receipts).toEqual([
      { eventId: '$e', userId: BOB, receiptType: 'm.read', threadId: null, ts: 0 },
    ]);
    expect(room(batch, '!i:x').strippedState).toEqual([]);
  });

  it('keeps only the latest receipt per user, type and thread', () => {
    const receipt = (eventId: string, ts: number) => ({
      type: 'm.receipt',
      content: { [eventId]: { 'm.read': { [BOB]: { ts } } } },
    });
    const batch = accumulate({
      next_batch: 'b',
      rooms: { join: { [ROOM]: { ephemeral: { events: [receipt('$1', 1), receipt('$2', 2)] } } } },
    });
    expect(room(batch, ROOM).receipts).toEqual([
      { eventId: '$2', userId: BOB, receiptType: 'm.read', threadId: null, ts: 2 },
    ]);
  });

  it('ignores inherited properties', () => {
    const inherited = Object.create({ rooms: { join: { '!r:x': {} } } }) as Record<string, unknown>;
    inherited['next_batch'] = 'b';
    expect(accumulate(inherited).rooms).toEqual([]);
  });
});

describe('membershipOf', () => {
  const leave = (state: unknown[], timeline: unknown[]): RoomDelta =>
    accumulate({
      next_batch: 'b',
      rooms: { leave: { [ROOM]: { state: { events: state }, timeline: { events: timeline } } } },
    }).rooms[0]!;

  it('prefers the latest timeline member event over state', () => {
    expect(membershipOf(leave([member(ME, 'ban', '$s', 1)], [member(ME, 'leave', '$t', 2)]), ME)).toBe(
      'leave',
    );
    expect(membershipOf(leave([], [member(ME, 'ban', '$t1', 1), member(ME, 'leave', '$t2', 2)]), ME)).toBe(
      'leave',
    );
    expect(membershipOf(leave([], [member(ME, 'leave', '$t1', 1), member(ME, 'ban', '$t2', 2)]), ME)).toBe(
      'ban',
    );
  });

  it('falls back to state, then to leave', () => {
    expect(membershipOf(leave([member(ME, 'ban', '$s', 1)], [message('$m', 'x')]), ME)).toBe('ban');
    expect(membershipOf(leave([], []), ME)).toBe('leave');
  });
});

describe('v2Filter', () => {
  it('drops presence, limits the timeline and lazy-loads members on the initial sync only', () => {
    expect(JSON.parse(v2Filter({ initial: true, timelineLimit: 20 }))).toEqual({
      presence: { not_types: ['*'] },
      room: { timeline: { limit: 20 }, state: { lazy_load_members: true }, include_leave: false },
    });
    expect(JSON.parse(v2Filter({ initial: false, timelineLimit: 50 }))).toEqual({
      presence: { not_types: ['*'] },
      room: { timeline: { limit: 50 }, state: { lazy_load_members: false }, include_leave: false },
    });
  });

  it('rejects a nonsensical timeline limit', () => {
    expect(() => v2Filter({ initial: true, timelineLimit: 0 })).toThrow(RangeError);
    expect(() => v2Filter({ initial: true, timelineLimit: 1.5 })).toThrow(RangeError);
  });
});

describe('accumulate under random mutations', () => {
  // Seeded so a failure reproduces; bump SEED locally to explore more of the space.
  const SEED = 0x5eed;
  const ROUNDS = 1000;

  // Keys the parser reads, plus keys that would do harm if treated as anything but data.
  const KEYS = [
    'next_batch',
    'rooms',
    'join',
    'events',
    'content',
    'type',
    'state_key',
    'event_id',
    'unsigned',
    'transaction_id',
    'm.read',
    'thread_id',
    'ts',
    '__proto__',
    'constructor',
    '!r:x',
  ];

  function randomValue(next: () => number): unknown {
    const values = [null, true, 0, -1, 1.5, 2 ** 53, '', '!x', '@u:x', [], {}, [null], { events: [null] }];
    return structuredClone(values[Math.floor(next() * values.length)]);
  }

  /** Every object and array inside `root`, the root included. */
  function containers(root: unknown): (Record<string, unknown> | unknown[])[] {
    const found: (Record<string, unknown> | unknown[])[] = [];
    const walk = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      const container = value as Record<string, unknown> | unknown[];
      found.push(container);
      Object.values(container).forEach(walk);
    };
    walk(root);
    return found;
  }

  function mutate(root: Record<string, unknown>, next: () => number): void {
    const all = containers(root);
    const target = all[Math.floor(next() * all.length)]!;
    const keys = Object.keys(target);
    const key = keys.length > 0 && next() < 0.7 ? keys[Math.floor(next() * keys.length)]! : undefined;
    const action = Math.floor(next() * 3);
    if (key !== undefined && action === 0) {
      Reflect.deleteProperty(target, key);
    } else {
      // defineProperty so that `__proto__` becomes an own key, as JSON.parse would make it.
      const name = key ?? KEYS[Math.floor(next() * KEYS.length)]!;
      Object.defineProperty(target, name, {
        value: randomValue(next),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }

  it('either returns a well-formed batch or throws the malformed-response error', () => {
    const next = seededRandom(SEED);
    let returned = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const input = fullResponse();
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) mutate(input, next);
      let batch: ReturnType<typeof accumulate>;
      try {
        batch = accumulate(input);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/^malformed sync response: /);
        continue;
      }
      returned++;
      expect(typeof batch.nextBatch).toBe('string');
      for (const delta of batch.rooms) {
        expect(delta.roomId.startsWith('!')).toBe(true);
        for (const event of [...delta.state, ...delta.timeline.events]) {
          expect(typeof event.event_id).toBe('string');
          expect(typeof event.origin_server_ts).toBe('number');
          expect(event).not.toHaveProperty('room_id');
          expect(event.unsigned ?? {}).not.toHaveProperty('transaction_id');
        }
        for (const event of delta.state) expect(typeof event.state_key).toBe('string');
      }
    }
    // Most mutations leave next_batch alone, so most rounds must have produced a batch.
    expect(returned).toBeGreaterThan(ROUNDS / 2);
    expect(({} as Record<string, unknown>)['events']).toBeUndefined();
  });
});
