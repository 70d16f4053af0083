import type { User } from '@gateway/auth-data';
import type { LoginLimiter } from '../accounts/login-limiter';
import type { Mfa, SecondFactorOutcome } from './mfa';
import { mfaRequiredFor, type MfaPolicy } from './mfa-policy';

export type SecondFactorResult =
  | { ok: true; used: Exclude<SecondFactorOutcome, 'wrong'> }
  | { ok: false; reason: 'throttled'; retryAfterMs: number }
  | { ok: false; reason: 'wrong-code' };

/**
 * A typed second factor, with the password form's attempt budget: each try costs one from the
 * client address and the account (so six digits cannot be walked through), and a right code refills
 * the account's budget as a right password does.
 */
export class SecondFactor {
  constructor(
    readonly mfa: Mfa,
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
}
