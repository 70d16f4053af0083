/**
 * Tokens minted by Synapse before the switch to delegated auth and imported verbatim by syn2mas.
 * They carry no checksum, so they are recognised by shape alone and must be
 * looked up as compat tokens: `syt_` access tokens, `syr_` refresh tokens and old macaroons.
 */

/** What a legacy Synapse token stands for. */
export type LegacySynapseTokenKind = 'compat_access_token' | 'compat_refresh_token';

// Strict padded URL-safe base64: whole quanta, `=` only as canonical padding at the very end.
const PADDED_BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;
const BASE64URL_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// A macaroon's first packet is `<4 hex length>location <url>\n`; bytes 4..12 are the field name.
const LOCATION_FIELD = 'location ';
const LOCATION_OFFSET = 4;
// 20 base64 characters decode to 15 bytes, enough to see bytes 4..12 without decoding the rest.
const SNIFF_CHARS = 20;

/**
 * Whether `value` looks like a Synapse macaroon: it must decode as strict, *padded* URL-safe base64
 * (so unpadded lengths are rejected, as MAS does) and bytes 4..12 must be ASCII `location `.
 */
export function isSynapseMacaroon(value: string): boolean {
  if (value.length === 0 || !PADDED_BASE64URL.test(value) || !hasCanonicalTail(value)) return false;
  // The pattern guarantees `=` appears only in the final quantum, so any 4-aligned prefix is valid.
  const head = value.length > SNIFF_CHARS ? value.slice(0, SNIFF_CHARS) : value;
  const bytes = Buffer.from(head, 'base64url');
  const end = LOCATION_OFFSET + LOCATION_FIELD.length;
  return bytes.length >= end && bytes.toString('latin1', LOCATION_OFFSET, end) === LOCATION_FIELD;
}

/**
 * A strict decoder refuses padding that hides set bits (`QR==` is not the canonical form of `QQ==`);
 * Node's decoder would silently drop them.
 */
function hasCanonicalTail(value: string): boolean {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  if (padding === 0) return true;
  const last = BASE64URL_DIGITS.indexOf(value.charAt(value.length - padding - 1));
  const unusedBits = padding === 2 ? 0b1111 : 0b11;
  return (last & unusedBits) === 0;
}

/** The compat token kind of a legacy Synapse token, or null if `value` is not one. */
export function legacySynapseTokenKind(value: string): LegacySynapseTokenKind | null {
  if (value.startsWith('syt_')) return 'compat_access_token';
  if (value.startsWith('syr_')) return 'compat_refresh_token';
  return isSynapseMacaroon(value) ? 'compat_access_token' : null;
}

/** Whether `value` is a `syt_`/`syr_` token or a macaroon imported from Synapse. */
export function isLegacySynapseToken(value: string): boolean {
  return legacySynapseTokenKind(value) !== null;
}
