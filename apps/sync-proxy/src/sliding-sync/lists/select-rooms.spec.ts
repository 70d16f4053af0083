import { describe, expect, it } from 'vitest';
import { mergeParams } from './select-rooms';

describe('combining room configs', () => {
  it('keeps only exclusions every config shares when configs combine (a superset)', () => {
    const all = { timelineLimit: 1, requiredState: [['*', '*']] as const };
    const noCreate = { ...all, excludeState: [['m.room.create', '']] as const };
    expect(mergeParams(noCreate, all).excludeState).toBeUndefined();
    expect(mergeParams(noCreate, noCreate).excludeState).toEqual([['m.room.create', '']]);
    // A lazy-members-only config includes no state, so its (absent) exclusions do not undo the other's.
    const lazyOnly = { timelineLimit: 5, requiredState: [['m.room.member', '$LAZY']] as const };
    expect(mergeParams(noCreate, lazyOnly)).toEqual({
      timelineLimit: 5,
      requiredState: [
        ['*', '*'],
        ['m.room.member', '$LAZY'],
      ],
      excludeState: [['m.room.create', '']],
    });
  });
});
