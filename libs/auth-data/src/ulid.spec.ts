import { describe, expect, it } from 'vitest';
import { isUlid, ulid } from './ulid';

describe('ulid', () => {
  it('encodes the time in the first ten characters and sorts by time', () => {
    // The specification's example time: 1469918176385 ms is 01ARYZ6S41.
    expect(ulid(1469918176385).slice(0, 10)).toBe('01ARYZ6S41');
    const a = ulid(1_000);
    const b = ulid(2_000);
    expect(isUlid(a) && isUlid(b)).toBe(true);
    expect(a < b).toBe(true);
  });

  it('keeps increasing within one millisecond', () => {
    const ids = Array.from({ length: 50 }, () => ulid(5_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });

  it('tells a ULID from other strings', () => {
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(isUlid('01arz3ndektsv4rrffq69g5fav')).toBe(false);
    expect(isUlid('81ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false);
    expect(isUlid("1' OR '1'='1")).toBe(false);
  });
});
