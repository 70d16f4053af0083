import type { User } from '@gateway/auth-data';
import type { Accounts } from './accounts';
import type { LoginLimiter } from './login-limiter';

export type SignInResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'throttled'; retryAfterMs: number }
  | { ok: false; reason: 'wrong-credentials' };

/**
 * A password sign-in from the login form: refused without checking the password while the address or
 * the account is over its budget; a success refills the account's budget.
 */
export class SignIn {
  constructor(
    private readonly accounts: Accounts,
    private readonly limiter: LoginLimiter,
  ) {}

  async attempt(username: string, password: string, ip: string): Promise<SignInResult> {
    const wait = await this.limiter.admit(username, ip);
    if (wait !== null) return { ok: false, reason: 'throttled', retryAfterMs: wait };
    const user = await this.accounts.authenticate(username, password);
    if (!user) return { ok: false, reason: 'wrong-credentials' };
    await this.limiter.succeeded(username);
    return { ok: true, user };
  }
}
