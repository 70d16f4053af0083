import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface TestRedis {
  url: string;
  /** A key prefix no other test uses; pass it to queues and caches. */
  prefix: string;
  redis: Redis;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export function testRedisUrl(): string {
  return process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

export async function createTestRedis(): Promise<TestRedis> {
  const url = testRedisUrl();
  const prefix = `gwtest:${randomBytes(6).toString('hex')}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  await redis.ping();
  return {
    url,
    prefix,
    redis,
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
