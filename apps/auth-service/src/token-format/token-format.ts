import { createHash } from 'node:crypto';
import { legacySynapseTokenKind } from './legacy-synapse-token';
import { randomAlphanumeric } from './random-string';
import { tokenChecksum } from './token-checksum';

/**
 * MAS-format opaque tokens (https://github.com/element-hq/matrix-authentication-service/blob/main/crates/data-model/src/tokens.rs): `<prefix>_<30 alphanumerics>_<6-char checksum>`.
 * The checksum lets every endpoint reject typos and garbage without a database round trip.
 */

/** What a token grants; names follow the introspection `token_type` plus the session family. */
export type TokenKind =
  'access_token' | 'refresh_token' | 'compat_access_token' | 'compat_refresh_token' | 'personal_access_token';

/** The three-letter prefix of each kind. */
export const TOKEN_PREFIXES = {
  access_token: 'mat',
  refresh_token: 'mar',
  compat_access_token: 'mct',
  compat_refresh_token: 'mcr',
  personal_access_token: 'mpt',
} as const satisfies Record<TokenKind, string>;

/** Length of the random part. */
export const TOKEN_RANDOM_LENGTH = 30;

const KIND_BY_PREFIX = new Map<string, TokenKind>(
  Object.entries(TOKEN_PREFIXES).map(([kind, prefix]) => [prefix, kind as TokenKind]),
);
// MAS's split: three `_`-separated parts of 3, 30 and 6 characters. The prefix is matched next, so the
// error says which check failed.
const TOKEN_SHAPE = /^([^_]{3})_([^_]{30})_([^_]{6})$/;
// Stricter than MAS, which only checks the CRC: nothing else can have been issued, and checking the
// charset first keeps the CRC an ASCII computation.
const TOKEN_BODY = /^[A-Za-z0-9]+$/;

/**
 * A fresh token of `kind`. `random` is injectable so tests can pin the random part; production uses
 * an unbiased crypto-random draw.
 */
export function generateToken(
  kind: TokenKind,
  random: (length: number) => string = randomAlphanumeric,
): string {
  const base = `${TOKEN_PREFIXES[kind]}_${random(TOKEN_RANDOM_LENGTH)}`;
  return `${base}_${tokenChecksum(base)}`;
}

/** Why a string is not a usable token, in MAS's terms. */
export type TokenFormatError = 'invalid_format' | 'unknown_prefix' | 'invalid_crc';

/** The result of checking a token's shape. */
export type TokenCheck =
  | { ok: true; kind: TokenKind; legacy: boolean }
  | { ok: false; error: TokenFormatError; kind: TokenKind | null };

/**
 * Checks `value` with no I/O, MAS's order: legacy Synapse tokens (`syt_`, `syr_`, macaroons) are
 * accepted by shape and carry no checksum; anything else must be exactly `prefix_random_crc` with a
 * known prefix, an alphanumeric body and a matching checksum.
 */
export function checkToken(value: string): TokenCheck {
  const legacy = legacySynapseTokenKind(value);
  if (legacy !== null) return { ok: true, kind: legacy, legacy: true };
  const match = TOKEN_SHAPE.exec(value);
  if (!match) return { ok: false, error: 'invalid_format', kind: null };
  const [, prefix = '', random = '', checksum = ''] = match;
  const kind = KIND_BY_PREFIX.get(prefix);
  if (kind === undefined) return { ok: false, error: 'unknown_prefix', kind: null };
  if (!TOKEN_BODY.test(random) || !TOKEN_BODY.test(checksum)) {
    return { ok: false, error: 'invalid_format', kind: null };
  }
  if (tokenChecksum(`${prefix}_${random}`) !== checksum) return { ok: false, error: 'invalid_crc', kind };
  return { ok: true, kind, legacy: false };
}

/** What {@link parseToken} tells a caller about a token. */
export interface ParsedToken {
  kind: TokenKind;
  /** False when the shape and prefix are right but the checksum is not: a typo or a forgery. */
  valid: boolean;
  /** A token imported from Synapse: no checksum, always a compat token. */
  legacy: boolean;
}

/**
 * The kind of `value` and whether its checksum holds, or null when it is not a token of any known
 * shape. Only `valid` tokens are worth a database lookup; anything else is `{"active":false}`.
 */
export function parseToken(value: string): ParsedToken | null {
  const check = checkToken(value);
  if (check.ok) return { kind: check.kind, valid: true, legacy: check.legacy };
  return check.kind === null ? null : { kind: check.kind, valid: false, legacy: false };
}

/** Hex SHA-256 of a token: the only form in which tokens are stored or logged. */
export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
