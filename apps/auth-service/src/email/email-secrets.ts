import { createHash, randomInt } from 'node:crypto';
import { randomAlphanumeric } from '../token-format/random-string';

/** A 6-digit code, as MAS sends. */
export function newEmailCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** The secret of a link in a mail (verification, recovery ticket): 32 alphanumerics, as MAS's tickets. */
export function newLinkSecret(): string {
  return randomAlphanumeric(32);
}

/**
 * What is stored of a code or link secret. A code is bound to its verification's id, so equal codes of
 * two verifications hash differently; a leaked row gives nothing to type.
 */
export function secretHash(secret: string, bindTo = ''): string {
  return createHash('sha256').update(`${bindTo}\n${secret}`).digest('hex');
}
