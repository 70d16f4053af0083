import type { Hero } from '@gateway/sync-data';
import { describe, expect, it } from 'vitest';
import { computeRoomName, type RoomNameInput } from './room-name';

const alice: Hero = { userId: '@alice:hs', displayName: 'Alice' };
const bob: Hero = { userId: '@bob:hs', displayName: 'Bob' };
const carol: Hero = { userId: '@carol:hs', displayName: 'Carol' };
const dave: Hero = { userId: '@dave:hs', displayName: 'Dave' };
const erin: Hero = { userId: '@erin:hs', displayName: 'Erin' };
const frank: Hero = { userId: '@frank:hs', displayName: 'Frank' };
const grace: Hero = { userId: '@grace:hs', displayName: 'Grace' };

function input(overrides: Partial<RoomNameInput>): RoomNameInput {
  return { name: null, canonicalAlias: null, heroes: [], joinedCount: 1, invitedCount: 0, ...overrides };
}

const name = (overrides: Partial<RoomNameInput>) => computeRoomName(input(overrides));

describe(computeRoomName.name, () => {
  describe('explicit names', () => {
    it('uses m.room.name first', () => {
      expect(name({ name: 'Lounge', canonicalAlias: '#lounge:hs', heroes: [alice], joinedCount: 2 })).toBe(
        'Lounge',
      );
    });

    it('falls back to the canonical alias', () => {
      expect(name({ canonicalAlias: '#lounge:hs', heroes: [alice], joinedCount: 2 })).toBe('#lounge:hs');
    });

    it('treats an empty name or alias as absent', () => {
      expect(name({ name: '', canonicalAlias: '#lounge:hs' })).toBe('#lounge:hs');
      expect(name({ name: '', canonicalAlias: '', heroes: [alice], joinedCount: 2 })).toBe('Alice');
    });
  });

  describe('names from heroes (the spec examples)', () => {
    it('names a one-to-one room after the other member', () => {
      expect(name({ heroes: [alice], joinedCount: 2 })).toBe('Alice');
    });

    it('counts invited members too', () => {
      expect(name({ heroes: [alice], joinedCount: 1, invitedCount: 1 })).toBe('Alice');
    });

    it('joins two names with "and", more with commas and a final "and"', () => {
      expect(name({ heroes: [alice, bob], joinedCount: 3 })).toBe('Alice and Bob');
      expect(name({ heroes: [alice, bob, carol], joinedCount: 4 })).toBe('Alice, Bob and Carol');
    });

    it('adds a count of the members it does not name', () => {
      expect(name({ heroes: [alice, bob], joinedCount: 4, invitedCount: 2 })).toBe('Alice, Bob and 3 others');
      expect(name({ heroes: [alice], joinedCount: 10 })).toBe('Alice and 8 others');
    });

    it('says "1 other" for a single unnamed member', () => {
      expect(name({ heroes: [alice, bob], joinedCount: 4 })).toBe('Alice, Bob and 1 other');
    });

    it('names at most five heroes and counts the rest', () => {
      const six = [alice, bob, carol, dave, erin, frank];
      expect(name({ heroes: six, joinedCount: 7 })).toBe('Alice, Bob, Carol, Dave, Erin and 1 other');
      expect(name({ heroes: [...six, grace], joinedCount: 100 })).toBe(
        'Alice, Bob, Carol, Dave, Erin and 94 others',
      );
    });

    it('uses the user id for a hero without a display name', () => {
      expect(name({ heroes: [{ userId: '@zed:hs' }, bob], joinedCount: 3 })).toBe('@zed:hs and Bob');
      expect(name({ heroes: [{ userId: '@zed:hs', displayName: '' }], joinedCount: 2 })).toBe('@zed:hs');
    });

    it('disambiguates heroes sharing a display name with their user ids', () => {
      const otherAlice: Hero = { userId: '@alice2:hs', displayName: 'Alice' };
      expect(name({ heroes: [alice, otherAlice, bob], joinedCount: 4 })).toBe(
        'Alice (@alice:hs), Alice (@alice2:hs) and Bob',
      );
    });

    it('never counts negative others when the counts lag behind the heroes', () => {
      expect(name({ heroes: [alice, bob, carol], joinedCount: 2 })).toBe('Alice, Bob and Carol');
    });

    it('counts the members when the summary has no heroes', () => {
      expect(name({ joinedCount: 3 })).toBe('2 others');
      expect(name({ joinedCount: 1, invitedCount: 1 })).toBe('1 other');
    });
  });

  describe('empty rooms', () => {
    it('is "Empty Room" with no heroes and no one else', () => {
      expect(name({ joinedCount: 1 })).toBe('Empty Room');
      expect(name({ joinedCount: 0 })).toBe('Empty Room');
    });

    it('remembers who was there', () => {
      expect(name({ heroes: [alice], joinedCount: 1 })).toBe('Empty Room (was Alice)');
      expect(name({ heroes: [alice, bob], joinedCount: 1 })).toBe('Empty Room (was Alice and Bob)');
      expect(name({ heroes: [alice, bob], joinedCount: 0, invitedCount: 0 })).toBe(
        'Empty Room (was Alice and Bob)',
      );
    });

    it('counts former members beyond the five it names', () => {
      expect(name({ heroes: [alice, bob, carol, dave, erin, frank, grace], joinedCount: 1 })).toBe(
        'Empty Room (was Alice, Bob, Carol, Dave, Erin and 2 others)',
      );
    });
  });
});
