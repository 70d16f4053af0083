import { describe, expect, it } from 'vitest';
import { delegation } from '../../test/fakes/delayed-leave-fakes';
import { jobKey, newRecord } from './delegation-record';
import { MemoryDelegationStore } from './delegation-store';
import { DEFAULT_TIMING } from './timing';

const legacy = delegation({ legacyIdentity: '@a:x:D', legacyRoom: 'legacy-room' });

describe(MemoryDelegationStore.name, () => {
  it('indexes a record under every (room, identity) address and replaces by job key', async () => {
    const store = new MemoryDelegationStore();
    const first = newRecord('one', legacy, 0, DEFAULT_TIMING);
    expect(await store.replace(first)).toBeNull();
    expect(await store.findByAddress('legacy-room', '@a:x:D')).toEqual(['one']);
    expect(await store.findByAddress('room-alias', '@a:x:D')).toEqual(['one']);
    const second = newRecord('two', delegation(), 0, DEFAULT_TIMING);
    expect((await store.replace(second))?.id).toBe('one');
    expect(await store.findByAddress('legacy-room', '@a:x:D')).toEqual([]);
    expect(await store.idForKey(jobKey(legacy))).toBe('two');
    expect(await store.count()).toBe(1);
  });

  it('writes and removes only over the expected version', async () => {
    const store = new MemoryDelegationStore();
    const record = newRecord('one', legacy, 0, DEFAULT_TIMING);
    await store.replace(record);
    expect(await store.update({ ...record, version: 3 })).toBe(false);
    expect(await store.update({ ...record, version: 2, nextAt: 5 })).toBe(true);
    expect(await store.remove('one', 1)).toBe(false);
    expect(await store.remove('one', 2)).toBe(true);
    expect(await store.findByAddress('room-alias', 'hashed-identity')).toEqual([]);
    expect(await store.idForKey(jobKey(legacy))).toBeNull();
  });

  it('grants a lock once until it is released or expires', async () => {
    let now = 0;
    const store = new MemoryDelegationStore(() => now);
    const token = await store.tryLock('one', 100);
    expect(token).not.toBeNull();
    expect(await store.tryLock('one', 100)).toBeNull();
    await store.unlock('one', 'not-the-token');
    expect(await store.tryLock('one', 100)).toBeNull();
    now = 100;
    expect(await store.tryLock('one', 100)).not.toBeNull();
  });
});
