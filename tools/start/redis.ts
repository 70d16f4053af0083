import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '@gateway/testing';

export interface RedisHandle {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

/** `REDIS_URL` when set; else Redis on 127.0.0.1:6379; else the system's `redis-server` on a free port. */
export async function resolveRedis(log: (line: string) => void): Promise<RedisHandle> {
  const fromEnv = process.env['REDIS_URL'];
  if (fromEnv !== undefined && fromEnv !== '')
    return { url: fromEnv, origin: 'REDIS_URL', stop: () => Promise.resolve() };
  const local = 'redis://127.0.0.1:6379';
  if (await reachable(local))
    return { url: local, origin: 'local Redis on :6379', stop: () => Promise.resolve() };

  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      'no Redis on 127.0.0.1:6379 and no redis-server installed: install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL',
    );
  }
  const port = await freePort();
  log(`no Redis on 127.0.0.1:6379; starting redis-server on :${port}`);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await reachable(url)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    url,
    origin: `redis-server on :${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function reachable(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
