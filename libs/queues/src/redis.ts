import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ and for the services' own keys. BullMQ workers block on Redis, so
 * `maxRetriesPerRequest` must be null; commands queue while Redis is briefly away instead of failing.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...options,
  });
}

export async function pingRedis(redis: Redis): Promise<void> {
  await redis.ping();
}

/** Redis as an app dependency (the shape `DependenciesModule` of @gateway/server takes). */
export function redisDependency(provide: symbol, url: string) {
  return {
    provide,
    name: 'redis',
    create: (): Redis => createRedis(url),
    ping: (redis: Redis) => pingRedis(redis),
    close: (redis: Redis) => {
      redis.disconnect();
    },
  };
}
