import type { Redis } from 'ioredis';

const WINDOW_SECONDS = 600;

/**
 * Failed sign-ins per username and per client IP, counted in Redis so every replica sees the same
 * count: spreading a password-guessing run over replicas must not multiply its budget.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxFailures: number,
  ) {}

  async blocked(username: string, ip: string): Promise<boolean> {
    const [user, addr] = await this.redis.mget(this.key('user', username), this.key('ip', ip));
    return Number(user ?? 0) >= this.maxFailures || Number(addr ?? 0) >= this.maxFailures * 5;
  }

  async failed(username: string, ip: string): Promise<void> {
    const multi = this.redis.multi();
    for (const key of [this.key('user', username), this.key('ip', ip)])
      multi.incr(key).expire(key, WINDOW_SECONDS, 'NX');
    await multi.exec();
  }

  async succeeded(username: string): Promise<void> {
    await this.redis.del(this.key('user', username));
  }

  private key(kind: string, value: string): string {
    // Bounded: the username is whatever the form said.
    return `${this.prefix}:login:${kind}:${value.toLowerCase().slice(0, 256)}`;
  }
}
