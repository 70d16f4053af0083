import type { User } from '@gateway/auth-data';
import type { LoginLimiter } from '../accounts/login-limiter';
import type { Mfa, SecondFactorOutcome } from './mfa';
import { mfaRequiredFor, type MfaPolicy } from './mfa-policy';
import type { Passkeys } from './passkeys';

export type SecondFactorResult =
  | { ok: true; used: Exclude<SecondFactorOutcome, 'wrong'> | 'passkey' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number }
  | { ok: false; reason: 'wrong-code' };

export type PasskeySignInResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'throttled'; retryAfterMs: number }
  | { ok: false; reason: 'wrong-passkey' };

/**
 * A typed second factor, with the password form's attempt budget: each try costs one from the
 * client address and the account (so six digits cannot be walked through), and a right code refills
 * the account's budget as a right password does.
 */
export class SecondFactor {
  constructor(
    readonly mfa: Mfa,
    readonly passkeys: Passkeys,
    private readonly limiter: LoginLimiter,
    private readonly policy: MfaPolicy,
  ) {}

  /** Whether AUTH_MFA_REQUIRED makes this user set up a second factor before signing in. */
  required(user: User): boolean {
    return mfaRequiredFor(this.policy, user);
  }

  async attempt(user: User, typed: string, ip: string): Promise<SecondFactorResult> {
    const wait = await this.limiter.admit(user.localpart, ip);
    if (wait !== null) return { ok: false, reason: 'throttled', retryAfterMs: wait };
    const used = await this.mfa.verify(user.id, typed);
    if (used === 'wrong') return { ok: false, reason: 'wrong-code' };
    await this.limiter.succeeded(user.localpart);
    return { ok: true, used };
  }

  /** A passkey assertion as the second factor, with the same budget as a typed code. */
  async attemptPasskey(user: User, response: string, ip: string): Promise<SecondFactorResult> {
    const wait = await this.limiter.admit(user.localpart, ip);
    if (wait !== null) return { ok: false, reason: 'throttled', retryAfterMs: wait };
    const userId = await this.passkeys.authenticate({ kind: 'second-factor', userId: user.id }, response);
    if (userId !== user.id) return { ok: false, reason: 'wrong-code' };
    await this.limiter.succeeded(user.localpart);
    return { ok: true, used: 'passkey' };
  }

  /**
   * Passwordless sign-in: the user a passkey assertion proves, or why not. Each try costs one from the
   * client address's budget, as a password try does (the account is not known until the assertion
   * verifies, so there is no account budget to take from).
   */
  async passkeySignIn(response: string, ip: string): Promise<PasskeySignInResult> {
    const wait = await this.limiter.admitAddress(ip);
    if (wait !== null) return { ok: false, reason: 'throttled', retryAfterMs: wait };
    const userId = await this.passkeys.authenticate({ kind: 'sign-in' }, response);
    return userId === null ? { ok: false, reason: 'wrong-passkey' } : { ok: true, userId };
  }
}
