/**
 * The checksum at the end of MAS-format tokens (see token-format.ts): CRC-32 of the token's ASCII
 * prefix, written as 6 base-62 digits least-significant first. The odd digit order is MAS's wire
 * format and must be reproduced exactly, or tokens imported from MAS would fail their checksum.
 */

/** Base-62 digits in value order: 0→`0`, 10→`A`, 36→`a`, 61→`z`. */
export const BASE62_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Length of the encoded checksum: 62^6 > 2^32, so six digits always suffice. */
export const CHECKSUM_LENGTH = 6;

// CRC-32/ISO-HDLC (zlib, PNG): reflected polynomial 0x04C11DB7 = 0xEDB88320 bit-reversed.
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/**
 * CRC-32/ISO-HDLC of a string's UTF-16 code units taken as bytes. Callers pass ASCII only (token
 * prefixes are checked against an ASCII pattern first), for which that equals the byte encoding.
 */
export function crc32(ascii: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) {
    crc = (CRC_TABLE[(crc ^ ascii.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Encodes an unsigned 32-bit value as MAS does: base-62 digits emitted least-significant first, then
 * left-padded with `0` to six characters (61 → `00000z`, 62 → `000001`).
 */
export function encodeReversedBase62(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`not an unsigned 32-bit integer: ${value}`);
  }
  let digits = '';
  let rest = value;
  do {
    digits += BASE62_DIGITS.charAt(rest % 62);
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return digits.padStart(CHECKSUM_LENGTH, '0');
}

/** The six-character checksum of `base` (`<prefix>_<random>`). */
export function tokenChecksum(base: string): string {
  return encodeReversedBase62(crc32(base));
}
