import { randomBytes } from 'node:crypto';

/** `[A-Za-z0-9]`: the alphabet of MAS token bodies, auth codes, device codes and client secrets. */
export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `[A-Z0-9]`: device-flow user codes (typed by a human, so one case only). */
export const UPPERCASE_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A source of cryptographically random bytes; injectable so tests can pin or bias it. */
export type RandomBytes = (size: number) => Uint8Array;

const cryptoBytes: RandomBytes = (size) => randomBytes(size);

/**
 * `length` characters drawn uniformly from `alphabet` (at most 256 distinct characters).
 *
 * Unbiased by rejection sampling: a byte is used only when it is below the largest multiple of the
 * alphabet size that fits in a byte, so every character has exactly the same probability (a plain
 * `byte % 62` would favour the first 8 characters).
 */
export function randomString(length: number, alphabet: string, source: RandomBytes = cryptoBytes): string {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid length ${length}`);
  const size = alphabet.length;
  if (size < 2 || size > 256) throw new RangeError(`alphabet must have 2 to 256 characters, got ${size}`);
  const limit = 256 - (256 % size);
  let out = '';
  while (out.length < length) {
    // Ask for a little more than needed so one round almost always suffices.
    for (const byte of source(Math.ceil((length - out.length) * 1.25) + 4)) {
      if (byte >= limit) continue;
      out += alphabet.charAt(byte % size);
      if (out.length === length) break;
    }
  }
  return out;
}

/** `length` uniformly random characters from `[A-Za-z0-9]`. */
export function randomAlphanumeric(length: number, source?: RandomBytes): string {
  return randomString(length, ALPHANUMERIC, source);
}

/**
 * A new registration token: 24 characters of `[A-Za-z0-9]`. Not base64url: a token that began with
 * `-` was read as an option by `registration-token revoke <token>` (and by most shells' tools).
 */
export function newRegistrationToken(source?: RandomBytes): string {
  return randomAlphanumeric(24, source);
}
