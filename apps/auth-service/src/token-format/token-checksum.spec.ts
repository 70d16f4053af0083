import { describe, expect, it } from 'vitest';
import { crc32, encodeReversedBase62, tokenChecksum } from './token-checksum';

describe(crc32.name, () => {
  it('is CRC-32/ISO-HDLC: the standard check value of "123456789" is 0xCBF43926', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  it('is 0 for the empty string', () => {
    expect(crc32('')).toBe(0);
  });

  it.each([
    ['mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq', 0xb827aca4],
    ['mct_16tugBE5Ta9LIWoSJaAEHHq2g3fx8S', 0xe446bef6],
    ['mct_Xl3bbpfh9yNy9NzuRxyR3b3PLW0rqd', 0x7c5578b9],
  ])('matches the CRC the spec gives for the MAS fixture %s', (base, crc) => {
    expect(crc32(base)).toBe(crc);
  });

  it('agrees with the worked example in decimal (3089607844)', () => {
    expect(crc32('mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq')).toBe(3089607844);
  });
});

describe(encodeReversedBase62.name, () => {
  it.each([
    [0, '000000'],
    [1, '000001'],
    [10, '00000A'],
    [36, '00000a'],
    [61, '00000z'],
    // Digits least-significant first: 62 is (0, 1), not the conventional "10".
    [62, '000001'],
    [63, '000011'],
    [62 * 62, '000001'],
    [0xffffffff, '3CFfg4'],
  ])('encodes %i as %s', (value, encoded) => {
    expect(encodeReversedBase62(value)).toBe(encoded);
  });

  it('writes the spec example 0xB827ACA4 as a8g5N3, not the conventional 3N5g8a', () => {
    expect(encodeReversedBase62(0xb827aca4)).toBe('a8g5N3');
  });

  it.each([-1, 0x100000000, 1.5, Number.NaN])(
    'refuses %d, which is not an unsigned 32-bit integer',
    (value) => {
      expect(() => encodeReversedBase62(value)).toThrow(RangeError);
    },
  );
});

describe(tokenChecksum.name, () => {
  it.each([
    ['mcr_42oTpLoieH5IecxG6gZXyvelQWW9Xq', 'a8g5N3'],
    ['mct_16tugBE5Ta9LIWoSJaAEHHq2g3fx8S', 'alcBB4'],
    ['mct_Xl3bbpfh9yNy9NzuRxyR3b3PLW0rqd', 'DiXAH2'],
  ])('gives the MAS fixture %s the checksum %s', (base, checksum) => {
    expect(tokenChecksum(base)).toBe(checksum);
  });
});
