import type { User } from '@gateway/auth-data';
import type { Accounts } from './accounts';
import type { LoginLimiter } from './login-limiter';

export type SignInResult =
  { ok: true; user: User } | { ok: false; reason: 'throttled' | 'wrong-credentials' };

/**
 * A password sign-in from the login form: refused without checking the password while the username or
 * the address is over its failure budget; a failure counts against both, a success clears the
 * username's count.
 */
export class SignIn {
  constructor(
    private readonly accounts: Accounts,
    private readonly limiter: LoginLimiter,
  ) {}

  async attempt(username: string, password: string, ip: string): Promise<SignInResult> {
    if (await this.limiter.blocked(username, ip)) return { ok: false, reason: 'throttled' };
    const user = await this.accounts.authenticate(username, password);
    if (!user) {
      await this.limiter.failed(username, ip);
      return { ok: false, reason: 'wrong-credentials' };
    }
    await this.limiter.succeeded(username);
    return { ok: true, user };
  }
}
