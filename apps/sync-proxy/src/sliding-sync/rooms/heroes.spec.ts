import type { StateEvent } from '@gateway/sync-data';
import { describe, expect, it } from 'vitest';
import { heroesFromState, heroesToWire } from './heroes';

function member(userId: string, content: Record<string, unknown>): StateEvent {
  return {
    type: 'm.room.member',
    state_key: userId,
    event_id: `$${userId}`,
    sender: userId,
    origin_server_ts: 0,
    content: { membership: 'join', ...content },
  };
}

describe(heroesFromState.name, () => {
  const members = new Map([
    ['@alice:hs', member('@alice:hs', { displayname: 'Alice', avatar_url: 'mxc://hs/a' })],
    ['@bob:hs', member('@bob:hs', { displayname: 'Bob' })],
    ['@eve:hs', member('@eve:hs', { displayname: 42, avatar_url: { url: 'mxc://hs/e' } })],
    ['@nil:hs', member('@nil:hs', { displayname: null, avatar_url: '' })],
  ]);

  it('takes display names and avatars from member events, in hero order', () => {
    expect(heroesFromState(['@bob:hs', '@alice:hs'], members)).toEqual([
      { userId: '@bob:hs', displayName: 'Bob' },
      { userId: '@alice:hs', displayName: 'Alice', avatarUrl: 'mxc://hs/a' },
    ]);
  });

  it('ignores fields that are not non-empty strings', () => {
    expect(heroesFromState(['@eve:hs', '@nil:hs'], members)).toStrictEqual([
      { userId: '@eve:hs' },
      { userId: '@nil:hs' },
    ]);
  });

  it('keeps heroes without a member event, with the user id only', () => {
    expect(heroesFromState(['@ghost:hs'], members)).toStrictEqual([{ userId: '@ghost:hs' }]);
    expect(heroesFromState([], members)).toEqual([]);
  });
});

describe(heroesToWire.name, () => {
  it('renames fields to the wire names and omits unknown ones', () => {
    expect(
      heroesToWire([
        { userId: '@alice:hs', displayName: 'Alice', avatarUrl: 'mxc://hs/a' },
        { userId: '@bob:hs', displayName: 'Bob' },
        { userId: '@carol:hs' },
      ]),
    ).toStrictEqual([
      { user_id: '@alice:hs', displayname: 'Alice', avatar_url: 'mxc://hs/a' },
      { user_id: '@bob:hs', displayname: 'Bob' },
      { user_id: '@carol:hs' },
    ]);
  });

  it('serialises without undefined or null fields', () => {
    expect(JSON.stringify(heroesToWire([{ userId: '@carol:hs' }]))).toBe('[{"user_id":"@carol:hs"}]');
  });
});
