import type { UserInfoCache } from './userinfo-cache';

/**
 * The subset of an ioredis client the userinfo cache uses; an `ioredis` `Redis` instance fits as is.
 * Kept this narrow so tests can pass a fake and the core does not depend on how the app builds clients.
 */
export interface RedisStringStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number): Promise<unknown>;
}

export const DEFAULT_USERINFO_KEY_PREFIX = 'rtc-jwt:userinfo:';

/**
 * Userinfo cache shared by every replica through Redis, so a client retrying against another replica
 * still hits. Entries expire in Redis itself (`SET … PX`); keys are the hashed cache keys, never tokens.
 */
export class RedisUserInfoCache implements UserInfoCache {
  constructor(
    private readonly redis: RedisStringStore,
    private readonly prefix = DEFAULT_USERINFO_KEY_PREFIX,
  ) {}

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, userId: string, ttlMs: number): Promise<void> {
    const ms = Math.floor(ttlMs);
    // PX refuses 0 and negatives; a lifetime that short is not worth storing anyway.
    if (!(ms >= 1)) return;
    await this.redis.set(this.prefix + key, userId, 'PX', ms);
  }
}
