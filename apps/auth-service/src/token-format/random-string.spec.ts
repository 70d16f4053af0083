import { describe, expect, it } from 'vitest';
import {
  ALPHANUMERIC,
  newRegistrationToken,
  randomAlphanumeric,
  randomString,
  UPPERCASE_ALPHANUMERIC,
} from './random-string';

/** A byte source that replays `bytes` forever. */
function replay(bytes: number[]): (size: number) => Uint8Array {
  let at = 0;
  return (size) => Uint8Array.from({ length: size }, () => bytes[at++ % bytes.length] ?? 0);
}

describe(randomString.name, () => {
  it('maps accepted bytes onto the alphabet by remainder', () => {
    expect(randomString(4, 'abc', replay([0, 1, 2, 3]))).toBe('abca');
  });

  it('skips bytes at or above the largest multiple of the alphabet size, which would bias it', () => {
    // 256 - 256 % 62 = 248: bytes 248..255 are rejected instead of mapping to "A".."H" a second time.
    expect(randomString(3, ALPHANUMERIC, replay([248, 255, 0, 250, 61, 1]))).toBe('A9B');
  });

  it('keeps drawing until it has enough characters', () => {
    const mostlyRejected = replay([...Array<number>(40).fill(255), 5]);
    expect(randomString(2, ALPHANUMERIC, mostlyRejected)).toBe('FF');
  });

  it('returns the empty string for length 0', () => {
    expect(randomString(0, ALPHANUMERIC)).toBe('');
  });

  it.each([-1, 1.5, Number.NaN])('refuses the length %d', (length) => {
    expect(() => randomString(length, ALPHANUMERIC)).toThrow(RangeError);
  });

  it('refuses alphabets that are too small or too large for byte sampling', () => {
    expect(() => randomString(1, 'a')).toThrow(RangeError);
    expect(() => randomString(1, 'x'.repeat(257))).toThrow(RangeError);
  });

  it('draws device user codes from upper case letters and digits only', () => {
    expect(randomString(600, UPPERCASE_ALPHANUMERIC)).toMatch(/^[A-Z0-9]{600}$/);
  });

  it('is close to uniform over many crypto-random draws', () => {
    const counts = new Map<string, number>();
    for (const c of randomAlphanumeric(62_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Expected 1000 each; a biased modulo draw would give the first 8 characters ~1250.
    for (const count of counts.values()) expect(count).toBeGreaterThan(830);
    for (const count of counts.values()) expect(count).toBeLessThan(1170);
  });
});

describe(randomAlphanumeric.name, () => {
  it('draws from [A-Za-z0-9]', () => {
    expect(randomAlphanumeric(200)).toMatch(/^[A-Za-z0-9]{200}$/);
  });

  it('does not repeat itself', () => {
    expect(randomAlphanumeric(30)).not.toBe(randomAlphanumeric(30));
  });
});

describe(newRegistrationToken.name, () => {
  it('is 24 characters of [A-Za-z0-9] even from bytes base64url would turn into - and _', () => {
    // 0xFB–0xFF are '-'/'_' in base64url; every byte value in turn must still give a plain token.
    let next = 0xfb;
    const cycling = (size: number) => Uint8Array.from({ length: size }, () => next++ % 256);
    for (let i = 0; i < 20; i++) expect(newRegistrationToken(cycling)).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(newRegistrationToken()).not.toBe(newRegistrationToken());
  });
});
