import { randomBytes } from 'node:crypto';

// Crockford's base32, as the ULID specification writes it (https://github.com/ulid/spec).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

/**
 * A ULID (MAS's id format: 48 bits of milliseconds, 80 random bits, 26 characters) for `timeMs`. Ids
 * made in the same millisecond by this process increase (the random part counts up), so ordering by id
 * is ordering by creation, which the cursor pagination relies on.
 */
export function ulid(timeMs: number): string {
  let random: Uint8Array;
  if (timeMs === lastTime) {
    random = Uint8Array.from(lastRandom);
    for (let i = random.length - 1; i >= 0; i--) {
      random[i] = ((random[i] ?? 0) + 1) & 0xff;
      if (random[i] !== 0) break;
    }
  } else {
    random = Uint8Array.from(randomBytes(10));
  }
  lastTime = timeMs;
  lastRandom = random;
  let time = '';
  let t = Math.max(0, Math.floor(timeMs));
  for (let i = 0; i < 10; i++) {
    time = (ALPHABET[t % 32] ?? '0') + time;
    t = Math.floor(t / 32);
  }
  // 80 bits are exactly 16 base32 characters, read 5 bits at a time from the front.
  let rest = '';
  let acc = 0;
  let bits = 0;
  for (const byte of random) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      rest += ALPHABET[(acc >> (bits - 5)) & 31] ?? '0';
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return time + rest;
}

/** Whether `value` has a ULID's shape (ids from URLs are checked before they reach a query). */
export function isUlid(value: string): boolean {
  return /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(value);
}
