import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueue, createWorker, type JobPayload } from '../../src';
import { createTestRedis, type TestRedis } from '@gateway/testing';

describe('typed queues on real Redis', () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await createTestRedis();
  });
  afterEach(async () => {
    await redis.cleanup();
  });

  it('delivers a job by id to a worker, keeps keys under the test prefix, and dedupes by job id', async () => {
    const connection = { redis: redis.redis, prefix: redis.prefix };
    const queue = createQueue('rtc.delayed-leave', connection);
    const seen: JobPayload<'rtc.delayed-leave'>[] = [];
    let firstJob: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (firstJob = resolve));
    const worker = createWorker(
      'rtc.delayed-leave',
      (job) => {
        seen.push(job.data);
        firstJob();
        return Promise.resolve();
      },
      connection,
    );
    await queue.add('leave', { delegationId: 'd1' }, { jobId: 'd1', delay: 50 });
    await queue.add('leave', { delegationId: 'd1' }, { jobId: 'd1', delay: 50 });
    await done;
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([{ delegationId: 'd1' }]);
    // Everything under this test's prefix; nothing under BullMQ's default one.
    expect((await redis.redis.keys(`${redis.prefix}:rtc.delayed-leave:*`)).length).toBeGreaterThan(0);
    expect(await redis.redis.keys('bull:rtc.delayed-leave:*')).toEqual([]);
    await worker.close();
    await queue.close();
  });
});
