import { csrfToken, csrfValid } from '../pages/form-security';

/** How long the second step waits for a code after the password was right. */
export const PENDING_SECOND_FACTOR_MS = 10 * 60_000;

/**
 * The proof, carried by the second step's form, that this interaction's password was right for this
 * user: an HMAC over the interaction, the user and the time, under the service's form key. It needs
 * no storage, is good only for that interaction (which oidc-provider binds to the browser by a signed
 * cookie) and only for a few minutes; without it the second step finishes nothing.
 */
export function pendingSecondFactor(key: string, uid: string, userId: string, now: number): string {
  return `${userId}.${now}.${csrfToken(key, 'mfa-pending', uid, userId, String(now))}`;
}

/** The user a pending proof is for, or null when it is not this interaction's, altered or too old. */
export function pendingUser(key: string, uid: string, proof: string | undefined, now: number): string | null {
  const [userId, issued, mac, ...rest] = (proof ?? '').split('.');
  if (!userId || !issued || rest.length > 0 || !/^\d{1,16}$/.test(issued)) return null;
  const age = now - Number(issued);
  if (age < 0 || age > PENDING_SECOND_FACTOR_MS) return null;
  return csrfValid(key, mac, 'mfa-pending', uid, userId, issued) ? userId : null;
}
