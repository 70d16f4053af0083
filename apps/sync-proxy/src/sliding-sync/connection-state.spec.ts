import { describe, expect, it } from 'vitest';
import { deserialiseState, emptyState, serialiseState, type ConnectionState } from './connection-state';
import type { RoomSent } from './rooms/room-sent';

/** Element X's room-list required_state, in the canonical form requiredStateKey gives (~450 bytes). */
const LIST_KEY = JSON.stringify(
  [
    'm.room.avatar',
    'm.room.canonical_alias',
    'm.room.create',
    'm.room.encryption',
    'm.room.history_visibility',
    'm.room.join_rules',
    'm.room.member',
    'm.room.name',
    'm.room.power_levels',
    'm.room.tombstone',
    'm.room.topic',
    'io.element.functional_members',
    'm.space.child',
    'm.space.parent',
    'org.matrix.msc3401.call.member',
    'org.matrix.msc3672.beacon_info',
  ].map((type) => [type, '']),
);

const sent = (i: number, rs = LIST_KEY): RoomSent => ({
  seq: 1000 + i,
  rs,
  tl: 1,
  name: i % 2 === 0 ? `Room ${String(i)}` : null,
  avatar: null,
  bump: 1_700_000_000_000 + i,
  counts: [2, 0],
  lazy: ['@alice:example.org'],
});

function stateOf(rooms: number): ConnectionState {
  return {
    ...emptyState(),
    rooms: new Map(Array.from({ length: rooms }, (_, i) => [`!room${String(i)}:example.org`, sent(i)])),
    subscriptions: new Map([['!sub:example.org', { timelineLimit: 20, requiredState: [['*', '*']] }]]),
    streams: { accountData: 5, receipts: 5, typing: 5, deviceLists: 5 },
    extra: { subs: ['!sub:example.org'] },
    protocol: 'msc4186',
  };
}

/** As Postgres hands a jsonb column back: the JSON text, parsed. */
const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('a connection’s stored state', () => {
  it('comes back as it was saved', () => {
    const state = stateOf(50);
    state.rooms.set('!other:example.org', sent(7, '["m.room.name",""]'));
    expect(deserialiseState(throughJson(serialiseState(state)))).toEqual(state);
  });

  it('stores each required_state key once: ~100 bytes a room, not ~550, for 10,000 listed rooms', () => {
    const bytes = JSON.stringify(serialiseState(stateOf(10_000))).length;
    // The first format took ~550 bytes a room for this state.
    expect(bytes / 10_000).toBeLessThan(110);
  });

  it('still reads states stored in the first format, so an upgrade keeps every connection', () => {
    const state = stateOf(3);
    const v1 = {
      v: 1,
      rooms: [...state.rooms],
      subs: [...state.subscriptions],
      streams: state.streams,
      extra: state.extra,
      proto: state.protocol,
    };
    expect(deserialiseState(throughJson(v1))).toEqual(state);
  });

  it('starts over from anything it does not know', () => {
    for (const value of [null, 'x', 3, {}, { v: 3, rooms: [] }]) {
      expect(deserialiseState(value)).toEqual(emptyState());
    }
  });
});
