import { describe, expect, it } from 'vitest';
import { legacyLiveKitIdentity, liveKitIdentity } from './identity';

describe(liveKitIdentity.name, () => {
  it('matches the reference test vector', () => {
    expect(liveKitIdentity('@alice:example.com', 'DEVICE123', 'memberABC')).toBe(
      'J+T45tGruxc+HrUOqJJlyQSV33m728Cme4+vt8/SWrU',
    );
  });

  it('uses three elements, not the unimplemented two-element MSC revision', () => {
    expect(liveKitIdentity('@alice:example.com', 'DEVICE123', 'memberABC')).not.toBe(
      'M3VnsLXrkbxIDINXO64u8PZzFyD9ZYFiQULR2dshWYs',
    );
  });

  it('depends on every element and never pads', () => {
    const base = liveKitIdentity('@a:x', 'D', 'm');
    expect(base).not.toContain('=');
    expect(liveKitIdentity('@b:x', 'D', 'm')).not.toBe(base);
    expect(liveKitIdentity('@a:x', 'E', 'm')).not.toBe(base);
    expect(liveKitIdentity('@a:x', 'D', 'n')).not.toBe(base);
  });
});

describe(legacyLiveKitIdentity.name, () => {
  it('joins user and device in clear, as the /sfu/get tests assert', () => {
    expect(legacyLiveKitIdentity('@user:example.com', 'testDevice')).toBe('@user:example.com:testDevice');
    expect(legacyLiveKitIdentity('@user:example.com', 'DEVICE')).toBe('@user:example.com:DEVICE');
  });

  it('keeps a trailing colon for an empty device id', () => {
    expect(legacyLiveKitIdentity('@u:hs', '')).toBe('@u:hs:');
  });
});
