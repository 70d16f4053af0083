import { MatrixError, type Errcode } from '@gateway/matrix';
import { describe, expect, it } from 'vitest';
import { parseSyncBody } from './parse-sync-body';

// A real Element X (matrix-rust-sdk) room-list request.
const ELEMENT_X = `{"conn_id":"room-list","lists":{"all_rooms":{"ranges":[[0,19]],"timeline_limit":1,"filters":{},"required_state":[["m.room.name",""],["m.room.encryption",""],["m.room.member","$LAZY"],["m.room.member","$ME"],["m.room.topic",""],["m.room.avatar",""],["m.room.canonical_alias",""],["m.room.power_levels",""],["org.matrix.msc3401.call.member","*"],["m.room.join_rules",""],["m.room.tombstone",""],["m.room.create",""],["m.room.history_visibility",""],["io.element.functional_members",""],["m.space.parent","*"],["m.space.child","*"],["org.matrix.msc3672.beacon_info","*"]]}},"extensions":{"account_data":{"enabled":true},"receipts":{"enabled":true,"rooms":["*"]},"typing":{"enabled":true}}}`;

// The shape matrix-js-sdk sends.
const JS_SDK = `{"lists":{"room_list":{"ranges":[[0,19]],"timeline_limit":1,"required_state":[["m.room.name",""]],"filters":{"is_dm":true}}},"room_subscriptions":{"!a:x":{"timeline_limit":20,"required_state":[["*","*"]]}},"unsubscribe_rooms":["!b:x"],"extensions":{"to_device":{"enabled":true,"since":"12"},"e2ee":{"enabled":true}}}`;

function catchError(run: () => unknown): MatrixError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MatrixError);
    return error as MatrixError;
  }
  throw new Error('expected a MatrixError');
}

function expectRejected(body: unknown, errcode: Errcode, message?: string): void {
  const error = catchError(() => parseSyncBody(body));
  expect(error.status).toBe(400);
  expect(error.errcode).toBe(errcode);
  if (message !== undefined) expect(error.message).toBe(message);
}

/** A body with one list `all` made of `list`. */
function withList(list: Record<string, unknown>): unknown {
  return { lists: { all: { timeline_limit: 1, required_state: [], ...list } } };
}

function withFilters(filters: unknown): unknown {
  return withList({ filters });
}

function withExtension(name: string, value: unknown): unknown {
  return { extensions: { [name]: value } };
}

describe('parseSyncBody with real client bodies', () => {
  it('parses an Element X room-list request', () => {
    const request = parseSyncBody(JSON.parse(ELEMENT_X));
    expect(request.connId).toBe('room-list');
    expect(request.txnId).toBeUndefined();
    expect([...request.lists.keys()]).toEqual(['all_rooms']);
    const list = request.lists.get('all_rooms');
    expect(list?.ranges).toEqual([[0, 19]]);
    expect(list?.timelineLimit).toBe(1);
    expect(list?.filters).toEqual({});
    expect(list?.requiredState).toHaveLength(17);
    expect(list?.requiredState[2]).toEqual(['m.room.member', '$LAZY']);
    expect(list?.requiredState[16]).toEqual(['org.matrix.msc3672.beacon_info', '*']);
    expect(request.roomSubscriptions.size).toBe(0);
    expect(request.unsubscribeRooms).toEqual([]);
    expect(request.extensions).toEqual({
      accountData: { enabled: true, lists: undefined, rooms: undefined },
      receipts: { enabled: true, lists: undefined, rooms: ['*'] },
      typing: { enabled: true, lists: undefined, rooms: undefined },
    });
  });

  it('parses a matrix-js-sdk request', () => {
    const request = parseSyncBody(JSON.parse(JS_SDK));
    expect(request.connId).toBe('');
    expect(request.lists.get('room_list')).toEqual({
      ranges: [[0, 19]],
      timelineLimit: 1,
      requiredState: [['m.room.name', '']],
      filters: { isDm: true },
    });
    expect([...request.roomSubscriptions]).toEqual([
      ['!a:x', { timelineLimit: 20, requiredState: [['*', '*']] }],
    ]);
    expect(request.unsubscribeRooms).toEqual(['!b:x']);
    expect(request.extensions).toEqual({
      toDevice: { enabled: true, since: 12, limit: undefined },
      e2ee: { enabled: true },
    });
  });

  it('parses an empty object to an empty request', () => {
    expect(parseSyncBody({})).toEqual({
      connId: '',
      txnId: undefined,
      lists: new Map(),
      roomSubscriptions: new Map(),
      unsubscribeRooms: [],
      extensions: {},
    });
  });

  it('takes null for every optional top-level field as absent', () => {
    const body = {
      conn_id: null,
      txn_id: null,
      lists: null,
      room_subscriptions: null,
      unsubscribe_rooms: null,
      extensions: null,
    };
    expect(parseSyncBody(body)).toEqual(parseSyncBody({}));
  });

  it('ignores unknown fields at every level', () => {
    const request = parseSyncBody({
      future: { deeply: [1, 2] },
      lists: {
        all: {
          timeline_limit: 0,
          required_state: [],
          bump_event_types: ['x'],
          filters: { is_tombstoned: 1 },
        },
      },
      extensions: { threads: { enabled: 'yes' }, to_device: { enabled: false, extra: 1 } },
    });
    expect(request.lists.get('all')).toEqual({
      ranges: undefined,
      timelineLimit: 0,
      requiredState: [],
      filters: {},
    });
    expect(request.extensions).toEqual({ toDevice: { enabled: false, since: undefined, limit: undefined } });
  });
});

describe('parseSyncBody top level', () => {
  it.each([[undefined], [null], [[]], [[{}]], ['{}'], [42], [true]])('refuses %j as a body', (body) => {
    expectRejected(body, 'M_BAD_JSON', 'Content must be a JSON object.');
  });

  it('reads conn_id and txn_id', () => {
    const request = parseSyncBody({ conn_id: 'c', txn_id: 't'.repeat(64) });
    expect(request.connId).toBe('c');
    expect(request.txnId).toBe('t'.repeat(64));
  });

  it.each([[1], [true], [{}], [['c']]])('refuses conn_id %j', (connId) => {
    expectRejected({ conn_id: connId }, 'M_BAD_JSON', 'conn_id: must be a string');
  });

  it('refuses a non-string or overlong txn_id', () => {
    expectRejected({ txn_id: 7 }, 'M_BAD_JSON', 'txn_id: must be a string');
    expectRejected({ txn_id: 't'.repeat(65) }, 'M_BAD_JSON', 'txn_id: must be at most 64 characters');
  });

  it('counts txn_id length in code points, as Synapse does', () => {
    expect(parseSyncBody({ txn_id: '😀'.repeat(64) }).txnId).toBe('😀'.repeat(64));
    expectRejected({ txn_id: '😀'.repeat(65) }, 'M_BAD_JSON');
  });

  it('reads unsubscribe_rooms and refuses anything but strings', () => {
    expect(parseSyncBody({ unsubscribe_rooms: ['!a:x', '!b:x'] }).unsubscribeRooms).toEqual(['!a:x', '!b:x']);
    expectRejected({ unsubscribe_rooms: '!a:x' }, 'M_BAD_JSON', 'unsubscribe_rooms: must be an array');
    expectRejected(
      { unsubscribe_rooms: ['!a:x', 1] },
      'M_BAD_JSON',
      'unsubscribe_rooms[1]: must be a string',
    );
  });
});

describe('parseSyncBody lists', () => {
  it('refuses lists that is not an object', () => {
    expectRejected({ lists: [] }, 'M_BAD_JSON', 'lists: must be an object');
    expectRejected({ lists: 'all' }, 'M_BAD_JSON', 'lists: must be an object');
    expectRejected({ lists: { all: [] } }, 'M_BAD_JSON', 'lists.all: must be an object');
  });

  it('accepts 100 lists and refuses 101', () => {
    const lists = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${String(i)}`, { timeline_limit: 1 }]));
    expect(parseSyncBody({ lists: lists(100) }).lists.size).toBe(100);
    expectRejected({ lists: lists(101) }, 'M_BAD_JSON', 'lists: at most 100 lists');
  });

  it('accepts a 64-character list name and refuses a 65-character one', () => {
    const named = (name: string) => ({ lists: { [name]: { timeline_limit: 1 } } });
    expect(parseSyncBody(named('n'.repeat(64))).lists.has('n'.repeat(64))).toBe(true);
    expectRejected(named('n'.repeat(65)), 'M_BAD_JSON', 'lists: list names must be at most 64 characters');
  });

  it('keeps __proto__ and constructor as ordinary list names', () => {
    const request = parseSyncBody(
      JSON.parse('{"lists":{"__proto__":{"timeline_limit":2},"constructor":{"timeline_limit":3}}}'),
    );
    expect(request.lists.get('__proto__')?.timelineLimit).toBe(2);
    expect(request.lists.get('constructor')?.timelineLimit).toBe(3);
    expect(Object.prototype).not.toHaveProperty('timeline_limit');
  });

  describe('timeline_limit', () => {
    it.each([0, 1, 1000])('accepts %d', (limit) => {
      expect(parseSyncBody(withList({ timeline_limit: limit })).lists.get('all')?.timelineLimit).toBe(limit);
    });

    it('is required', () => {
      expectRejected(
        { lists: { all: { required_state: [] } } },
        'M_MISSING_PARAM',
        'lists.all.timeline_limit: required',
      );
      expectRejected(
        { room_subscriptions: { '!r:x': {} } },
        'M_MISSING_PARAM',
        'room_subscriptions.!r:x.timeline_limit: required',
      );
    });

    it.each([[-1], [1001], [1.5], ['1'], [null], [true], [[1]], [1e21]])('refuses %j', (limit) => {
      expectRejected(
        withList({ timeline_limit: limit }),
        'M_BAD_JSON',
        'lists.all.timeline_limit: must be an integer between 0 and 1000',
      );
    });
  });

  describe('ranges', () => {
    it('is optional', () => {
      expect(parseSyncBody(withList({})).lists.get('all')?.ranges).toBeUndefined();
      expect(parseSyncBody(withList({ ranges: null })).lists.get('all')?.ranges).toBeUndefined();
      expect(parseSyncBody(withList({ ranges: [] })).lists.get('all')?.ranges).toEqual([]);
    });

    it('keeps several pairs, and a pair whose end is below its start', () => {
      const ranges = parseSyncBody(
        withList({
          ranges: [
            [0, 9],
            [20, 29],
            [5, 2],
          ],
        }),
      ).lists.get('all')?.ranges;
      expect(ranges).toEqual([
        [0, 9],
        [20, 29],
        [5, 2],
      ]);
    });

    it('turns -0 into 0 and clamps ends past 2^53', () => {
      const ranges = parseSyncBody(withList({ ranges: [[-0, 1e21]] })).lists.get('all')?.ranges;
      expect(Object.is(ranges?.[0]?.[0], 0)).toBe(true);
      expect(ranges?.[0]?.[1]).toBe(Number.MAX_SAFE_INTEGER);
    });

    it('answers M_MISSING_PARAM for a pair that is too short', () => {
      expectRejected(
        withList({ ranges: [[0]] }),
        'M_MISSING_PARAM',
        'lists.all.ranges[0]: must have 2 items',
      );
      expectRejected(
        withList({ ranges: [[0, 1], []] }),
        'M_MISSING_PARAM',
        'lists.all.ranges[1]: must have 2 items',
      );
    });

    it('answers M_BAD_JSON for a pair that is too long or not an array', () => {
      expectRejected(
        withList({ ranges: [[0, 1, 2]] }),
        'M_BAD_JSON',
        'lists.all.ranges[0]: must have 2 items',
      );
      expectRejected(withList({ ranges: [0, 1] }), 'M_BAD_JSON', 'lists.all.ranges[0]: must be an array');
      expectRejected(withList({ ranges: { 0: [0, 1] } }), 'M_BAD_JSON', 'lists.all.ranges: must be an array');
    });

    it.each([[-1], [1.5], ['1'], [null], [true]])('refuses %j as a range bound', (bound) => {
      expectRejected(
        withList({ ranges: [[0, bound]] }),
        'M_BAD_JSON',
        'lists.all.ranges[0][1]: must be a non-negative integer',
      );
      expectRejected(
        withList({ ranges: [[bound, 0]] }),
        'M_BAD_JSON',
        'lists.all.ranges[0][0]: must be a non-negative integer',
      );
    });
  });

  describe('required_state', () => {
    it('is taken as empty when missing (Synapse requires it)', () => {
      expect(
        parseSyncBody({ lists: { all: { timeline_limit: 1 } } }).lists.get('all')?.requiredState,
      ).toEqual([]);
      expect(
        parseSyncBody({ room_subscriptions: { '!r:x': { timeline_limit: 1 } } }).roomSubscriptions.get('!r:x')
          ?.requiredState,
      ).toEqual([]);
    });

    it('answers M_MISSING_PARAM for a one-item or empty tuple', () => {
      expectRejected(
        withList({ required_state: [['m.room.name']] }),
        'M_MISSING_PARAM',
        'lists.all.required_state[0]: must have 2 items',
      );
      expectRejected(withList({ required_state: [[]] }), 'M_MISSING_PARAM');
    });

    it('answers M_BAD_JSON for any other shape', () => {
      expectRejected(
        withList({ required_state: null }),
        'M_BAD_JSON',
        'lists.all.required_state: must be an array',
      );
      expectRejected(
        withList({ required_state: {} }),
        'M_BAD_JSON',
        'lists.all.required_state: must be an array',
      );
      expectRejected(
        withList({ required_state: ['m.room.name'] }),
        'M_BAD_JSON',
        'lists.all.required_state[0]: must be an array',
      );
      expectRejected(
        withList({ required_state: [['a', 'b', 'c']] }),
        'M_BAD_JSON',
        'lists.all.required_state[0]: must have 2 items',
      );
      expectRejected(
        withList({ required_state: [['a', 1]] }),
        'M_BAD_JSON',
        'lists.all.required_state[0][1]: must be a string',
      );
      expectRejected(
        withList({ required_state: [[null, '']] }),
        'M_BAD_JSON',
        'lists.all.required_state[0][0]: must be a string',
      );
    });
  });

  describe('filters', () => {
    it('reads every filter', () => {
      const filters = {
        is_dm: false,
        is_encrypted: true,
        is_invite: false,
        room_types: ['m.space', null],
        not_room_types: [null],
        tags: ['m.favourite'],
        not_tags: ['m.lowpriority'],
        spaces: ['!s:x'],
        room_name_like: 'foo',
      };
      expect(parseSyncBody(withFilters(filters)).lists.get('all')?.filters).toEqual({
        isDm: false,
        isEncrypted: true,
        isInvite: false,
        roomTypes: ['m.space', null],
        notRoomTypes: [null],
        tags: ['m.favourite'],
        notTags: ['m.lowpriority'],
        spaces: ['!s:x'],
        roomNameLike: 'foo',
      });
    });

    it('takes null filters and null filter fields as absent', () => {
      expect(parseSyncBody(withFilters(null)).lists.get('all')?.filters).toEqual({});
      const nulls = {
        is_dm: null,
        is_encrypted: null,
        is_invite: null,
        room_types: null,
        tags: null,
        spaces: null,
        room_name_like: null,
      };
      expect(parseSyncBody(withFilters(nulls)).lists.get('all')?.filters).toEqual({});
    });

    it.each([
      [[], 'lists.all.filters: must be an object'],
      [{ is_dm: 1 }, 'lists.all.filters.is_dm: must be a boolean'],
      [{ is_encrypted: 'true' }, 'lists.all.filters.is_encrypted: must be a boolean'],
      [{ is_invite: 0 }, 'lists.all.filters.is_invite: must be a boolean'],
      [{ room_types: 'm.space' }, 'lists.all.filters.room_types: must be an array'],
      [{ room_types: [1] }, 'lists.all.filters.room_types[0]: must be a string'],
      [{ not_room_types: [true] }, 'lists.all.filters.not_room_types[0]: must be a string'],
      [{ tags: [null] }, 'lists.all.filters.tags[0]: must be a string'],
      [{ not_tags: 'x' }, 'lists.all.filters.not_tags: must be an array'],
      [{ spaces: [{}] }, 'lists.all.filters.spaces[0]: must be a string'],
      [{ room_name_like: ['x'] }, 'lists.all.filters.room_name_like: must be a string'],
    ])('refuses %j', (filters, message) => {
      expectRejected(withFilters(filters), 'M_BAD_JSON', message);
    });
  });
});

describe('parseSyncBody room_subscriptions', () => {
  it('reads each subscription into a Map', () => {
    const request = parseSyncBody(
      JSON.parse(
        '{"room_subscriptions":{"!a:x":{"timeline_limit":5,"required_state":[["m.room.create",""]]},"__proto__":{"timeline_limit":0}}}',
      ),
    );
    expect(request.roomSubscriptions.get('!a:x')).toEqual({
      timelineLimit: 5,
      requiredState: [['m.room.create', '']],
    });
    expect(request.roomSubscriptions.get('__proto__')).toEqual({ timelineLimit: 0, requiredState: [] });
  });

  it('applies the list rules to each subscription', () => {
    expectRejected({ room_subscriptions: [] }, 'M_BAD_JSON', 'room_subscriptions: must be an object');
    expectRejected(
      { room_subscriptions: { '!a:x': 5 } },
      'M_BAD_JSON',
      'room_subscriptions.!a:x: must be an object',
    );
    expectRejected({ room_subscriptions: { '!a:x': { timeline_limit: 1001 } } }, 'M_BAD_JSON');
    expectRejected(
      { room_subscriptions: { '!a:x': { timeline_limit: 1, required_state: [['x']] } } },
      'M_MISSING_PARAM',
    );
  });

  it('cuts a huge room id short in the error message', () => {
    const roomId = 'r'.repeat(100_000);
    const error = catchError(() => parseSyncBody({ room_subscriptions: { [roomId]: {} } }));
    expect(error.errcode).toBe('M_MISSING_PARAM');
    expect(error.message.length).toBeLessThan(120);
  });
});

describe('parseSyncBody extensions', () => {
  it('refuses extensions that is not an object', () => {
    expectRejected({ extensions: [] }, 'M_BAD_JSON', 'extensions: must be an object');
  });

  it('ignores unknown extensions whatever their value', () => {
    expect(parseSyncBody({ extensions: { threads: 1, 'org.example': [] } }).extensions).toEqual({});
  });

  it('takes null extensions and null fields as absent', () => {
    expect(parseSyncBody({ extensions: { to_device: null, e2ee: null, typing: null } }).extensions).toEqual(
      {},
    );
    expect(
      parseSyncBody(withExtension('to_device', { enabled: null, since: null, limit: null })).extensions,
    ).toEqual({
      toDevice: { enabled: undefined, since: undefined, limit: undefined },
    });
  });

  describe('to_device', () => {
    it('reads enabled, since and limit', () => {
      const request = parseSyncBody(withExtension('to_device', { enabled: true, since: '0', limit: 0 }));
      expect(request.extensions.toDevice).toEqual({ enabled: true, since: 0, limit: 0 });
      expect(
        parseSyncBody(withExtension('to_device', { since: '9007199254740991', limit: 100 })).extensions
          .toDevice,
      ).toEqual({
        enabled: undefined,
        since: Number.MAX_SAFE_INTEGER,
        limit: 100,
      });
    });

    it.each([[''], ['-1'], ['1.5'], ['abc'], [' 12'], ['9007199254740992']])(
      'answers M_INVALID_PARAM for since %j',
      (since) => {
        expectRejected(
          withExtension('to_device', { since }),
          'M_INVALID_PARAM',
          'extensions.to_device.since: must be a non-negative integer',
        );
      },
    );

    it('answers M_BAD_JSON for wrong types', () => {
      expectRejected(withExtension('to_device', []), 'M_BAD_JSON', 'extensions.to_device: must be an object');
      expectRejected(
        withExtension('to_device', { since: 12 }),
        'M_BAD_JSON',
        'extensions.to_device.since: must be a string',
      );
      expectRejected(
        withExtension('to_device', { enabled: 1 }),
        'M_BAD_JSON',
        'extensions.to_device.enabled: must be a boolean',
      );
      expectRejected(
        withExtension('to_device', { limit: -1 }),
        'M_BAD_JSON',
        'extensions.to_device.limit: must be a non-negative integer',
      );
      expectRejected(withExtension('to_device', { limit: '10' }), 'M_BAD_JSON');
      expectRejected(withExtension('to_device', { limit: 2.5 }), 'M_BAD_JSON');
    });
  });

  describe('e2ee', () => {
    it('reads enabled', () => {
      expect(parseSyncBody(withExtension('e2ee', { enabled: false })).extensions.e2ee).toEqual({
        enabled: false,
      });
      expect(parseSyncBody(withExtension('e2ee', {})).extensions.e2ee).toEqual({ enabled: undefined });
    });

    it('answers M_BAD_JSON for wrong types', () => {
      expectRejected(withExtension('e2ee', true), 'M_BAD_JSON', 'extensions.e2ee: must be an object');
      expectRejected(
        withExtension('e2ee', { enabled: 'true' }),
        'M_BAD_JSON',
        'extensions.e2ee.enabled: must be a boolean',
      );
    });
  });

  describe.each([
    ['account_data', 'accountData'],
    ['receipts', 'receipts'],
    ['typing', 'typing'],
  ] as const)('%s', (wire, key) => {
    it('reads enabled, lists and rooms', () => {
      const request = parseSyncBody(
        withExtension(wire, { enabled: true, lists: ['all'], rooms: ['!a:x', '*'] }),
      );
      expect(request.extensions[key]).toEqual({ enabled: true, lists: ['all'], rooms: ['!a:x', '*'] });
      expect(parseSyncBody(withExtension(wire, {})).extensions[key]).toEqual({
        enabled: undefined,
        lists: undefined,
        rooms: undefined,
      });
    });

    it('answers M_BAD_JSON for wrong types', () => {
      expectRejected(withExtension(wire, 'on'), 'M_BAD_JSON', `extensions.${wire}: must be an object`);
      expectRejected(
        withExtension(wire, { enabled: 'yes' }),
        'M_BAD_JSON',
        `extensions.${wire}.enabled: must be a boolean`,
      );
      expectRejected(
        withExtension(wire, { lists: 'all' }),
        'M_BAD_JSON',
        `extensions.${wire}.lists: must be an array`,
      );
      expectRejected(
        withExtension(wire, { rooms: [1] }),
        'M_BAD_JSON',
        `extensions.${wire}.rooms[0]: must be a string`,
      );
    });
  });

  describe('io.element.msc4308.thread_subscriptions (MSC4308)', () => {
    const wire = 'io.element.msc4308.thread_subscriptions';

    it('reads enabled and limit, with Synapse defaults', () => {
      expect(parseSyncBody(withExtension(wire, { enabled: true, limit: 5 })).extensions).toEqual({
        threadSubscriptions: { enabled: true, limit: 5 },
      });
      expect(parseSyncBody(withExtension(wire, {})).extensions.threadSubscriptions).toEqual({
        enabled: undefined,
        limit: 100,
      });
      // A limit of 0 is no error in Synapse: it reads no changes.
      expect(parseSyncBody(withExtension(wire, { enabled: true, limit: 0 })).extensions).toEqual({
        threadSubscriptions: { enabled: true, limit: 0 },
      });
      expect(
        parseSyncBody(withExtension(wire, { enabled: true, limit: 2 ** 60 })).extensions.threadSubscriptions
          ?.limit,
      ).toBe(Number.MAX_SAFE_INTEGER);
    });

    it('is not the stable name yet: `thread_subscriptions` is an unknown extension', () => {
      expect(parseSyncBody(withExtension('thread_subscriptions', { enabled: true })).extensions).toEqual({});
    });

    it('answers M_BAD_JSON for wrong types, as Synapse (strict types; limit is not Optional)', () => {
      expectRejected(withExtension(wire, []), 'M_BAD_JSON', `extensions.${wire}: must be an object`);
      expectRejected(
        withExtension(wire, { enabled: 1 }),
        'M_BAD_JSON',
        `extensions.${wire}.enabled: must be a boolean`,
      );
      for (const limit of ['5', 1.5, null, true, [5]]) {
        expectRejected(
          withExtension(wire, { enabled: true, limit }),
          'M_BAD_JSON',
          `extensions.${wire}.limit: must be an integer`,
        );
      }
    });

    it('answers M_INVALID_PARAM for a negative limit (the companion endpoint refuses one so)', () => {
      expectRejected(
        withExtension(wire, { enabled: true, limit: -1 }),
        'M_INVALID_PARAM',
        `extensions.${wire}.limit: must not be negative`,
      );
    });
  });
});
