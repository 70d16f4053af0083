import type { SignInLimits } from '../rate-limits/auth-limits';

/**
 * Sign-in attempts per client address and per account, from the shared limiters (Redis, so every
 * replica counts against the same budget). Each attempt costs one from both; an account's budget refills
 * over the window, so a guesser is slowed to a trickle but the owner is never locked out for longer
 * than one refill step, and a successful sign-in refills the account's budget at once.
 */
export class LoginLimiter {
  constructor(private readonly limits: SignInLimits) {}

  /** Null when the attempt may go ahead; otherwise how long to wait, in milliseconds. */
  async admit(username: string, ip: string): Promise<number | null> {
    const byIp = await this.limits.perIp.consume(ip);
    if (!byIp.allowed) return byIp.retryAfterMs;
    const byAccount = await this.limits.perAccount.consume(accountKey(username));
    return byAccount.allowed ? null : byAccount.retryAfterMs;
  }

  /** The address's budget alone, for a way in that names no account up front (a passkey). */
  async admitAddress(ip: string): Promise<number | null> {
    const byIp = await this.limits.perIp.consume(ip);
    return byIp.allowed ? null : byIp.retryAfterMs;
  }

  async succeeded(username: string): Promise<void> {
    await this.limits.perAccount.reset(accountKey(username));
  }
}

// Bounded: the username is whatever the form said.
function accountKey(username: string): string {
  return username.toLowerCase().slice(0, 256);
}
