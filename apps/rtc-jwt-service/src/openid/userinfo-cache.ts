import { LruCache } from '@gateway/util';
import { systemClock, type Clock } from '@gateway/util';
import { sha256Hex } from '../request/hash';

/**
 * Remembers which user an OpenID token proved, so retries and the `/get_token` → `/sfu/get` fallback
 * do not each cost a federation round trip. Keys are hashes: a raw token never sits in a cache (or in
 * Redis, where other processes could read it). Only successful lookups are stored.
 */
export interface UserInfoCache {
  get(key: string): Promise<string | null>;
  /**
   * In-process caches answer synchronously: the verifier then skips the timer that bounds a remote
   * read, a measurable share of a warm request (bench/README.md).
   */
  peek?(key: string): string | null;
  set(key: string, userId: string, ttlMs: number): Promise<void>;
}

/**
 * The cache key for a token as vouched for by a given server. The server name is part of the key so a
 * token replayed with another `matrix_server_name` can never hit an entry made for the first.
 */
export function userInfoCacheKey(matrixServerName: string, accessToken: string): string {
  return sha256Hex(JSON.stringify([matrixServerName, accessToken]));
}

export interface MemoryUserInfoCacheOptions {
  maxEntries?: number;
  clock?: Clock;
}

/** The in-process implementation: bounded, least recently used evicted first. */
export class MemoryUserInfoCache implements UserInfoCache {
  private readonly entries: LruCache<string, string>;

  constructor(options: MemoryUserInfoCacheOptions = {}) {
    this.entries = new LruCache(options.maxEntries ?? 10_000, { clock: options.clock ?? systemClock });
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.peek(key));
  }

  peek(key: string): string | null {
    return this.entries.get(key) ?? null;
  }

  set(key: string, userId: string, ttlMs: number): Promise<void> {
    this.entries.set(key, userId, ttlMs);
    return Promise.resolve();
  }
}
