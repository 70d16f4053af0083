import { describe, expect, it } from 'vitest';
import { LEGACY_SLOT_ID, legacyLiveKitRoomAlias, liveKitRoomAlias } from './room-alias';

describe(liveKitRoomAlias.name, () => {
  it.each([
    ['!roomid:example.com', 'slot1234', 'O8437W3+jmzMVjoIP3tNwbm+XxHQk2iKpOA7aqw3qSc'],
    ['!room:example.com', 'm.call#ROOM', 'krj2dgxw2K6EOm9he4GfQJ6JsSVWfJ8a7BkyjZcSmxs'],
    ['!room:example.com', 'm.call#', 'hrQ0l3fv1RI0sCBUn3Nu59Bu/b3f7hWXbMLLfFMLNOY'],
  ])('hashes [%j, %j] to the reference vector', (roomId, slotId, alias) => {
    expect(liveKitRoomAlias(roomId, slotId)).toBe(alias);
  });

  it('uses JSON.stringify escaping, not Go HTML escaping, for <', () => {
    expect(liveKitRoomAlias('a<b', 'x')).toBe('3OrK8IEBV6l4OMD+kUDx20fl5Nw3o6Gv+UwVY1fTUCs');
    expect(liveKitRoomAlias('a<b', 'x')).not.toBe('l26Z3yZ0tEKXXjw6Qgy9xku0eYyLjxIypQIaoBR6/YI');
  });

  it('never pads and is distinct per slot', () => {
    const a = liveKitRoomAlias('!room:example.com', 'm.call#ROOM');
    const b = liveKitRoomAlias('!room:example.com', 'm.call#other');
    expect(a).not.toContain('=');
    expect(a).toHaveLength(43);
    expect(a).not.toBe(b);
  });

  it('cannot be confused by separators inside the ids', () => {
    // The pre-v0.4.3 "a|b" join made these two collide; the JSON array does not.
    expect(liveKitRoomAlias('!a|b', 'c')).not.toBe(liveKitRoomAlias('!a', 'b|c'));
  });
});

describe(legacyLiveKitRoomAlias.name, () => {
  it('is the alias of the m.call#ROOM slot, so /sfu/get and /get_token share rooms', () => {
    expect(LEGACY_SLOT_ID).toBe('m.call#ROOM');
    expect(legacyLiveKitRoomAlias('!room:example.com')).toBe('krj2dgxw2K6EOm9he4GfQJ6JsSVWfJ8a7BkyjZcSmxs');
  });
});
