import { describe, expect, it } from 'vitest';
import { computeRoomAvatar, type RoomAvatarInput } from './room-avatar';

function input(overrides: Partial<RoomAvatarInput>): RoomAvatarInput {
  return { avatarUrl: null, heroes: [], joinedCount: 2, invitedCount: 0, isDm: false, ...overrides };
}

const bob = { userId: '@bob:hs', avatarUrl: 'mxc://hs/bob' };
const carol = { userId: '@carol:hs', avatarUrl: 'mxc://hs/carol' };

describe(computeRoomAvatar.name, () => {
  it("uses the room's own avatar first", () => {
    expect(computeRoomAvatar(input({ avatarUrl: 'mxc://hs/room', heroes: [bob], isDm: true }))).toBe(
      'mxc://hs/room',
    );
  });

  it("borrows the only other member's avatar in a two-person room", () => {
    expect(computeRoomAvatar(input({ heroes: [bob], isDm: true }))).toBe('mxc://hs/bob');
    expect(computeRoomAvatar(input({ heroes: [bob], joinedCount: 1, invitedCount: 1 }))).toBe('mxc://hs/bob');
  });

  it('does so whether or not m.direct marks the room', () => {
    expect(computeRoomAvatar(input({ heroes: [bob], isDm: false }))).toBe('mxc://hs/bob');
  });

  it('keeps the partner avatar once the partner has left', () => {
    expect(computeRoomAvatar(input({ heroes: [bob], joinedCount: 1, isDm: true }))).toBe('mxc://hs/bob');
  });

  it('is null when the partner has no avatar', () => {
    expect(computeRoomAvatar(input({ heroes: [{ userId: '@bob:hs' }] }))).toBeNull();
    expect(computeRoomAvatar(input({ heroes: [{ userId: '@bob:hs', avatarUrl: '' }] }))).toBeNull();
  });

  it('is null for rooms with more people, or no heroes', () => {
    expect(computeRoomAvatar(input({ heroes: [bob], joinedCount: 3 }))).toBeNull();
    expect(computeRoomAvatar(input({ heroes: [bob], joinedCount: 2, invitedCount: 1 }))).toBeNull();
    expect(computeRoomAvatar(input({ heroes: [bob, carol], joinedCount: 2 }))).toBeNull();
    expect(computeRoomAvatar(input({ heroes: [] }))).toBeNull();
  });
});
