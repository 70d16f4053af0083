import { createHash } from 'node:crypto';

/**
 * Standard-alphabet base64 of SHA-256 over the UTF-8 text, without `=` padding. This is the encoding
 * matrix-js-sdk and lk-jwt-service use for LiveKit room names and identities; it is not URL-safe.
 */
export function unpaddedBase64Sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64').replace(/=+$/, '');
}

/** Lower-case hex SHA-256, used for cache keys so raw tokens never sit in a cache. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
