import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueue, createWorker, type JobPayload } from '../../src';
import { Redis } from 'ioredis';
import { createTestRedis, freePort, type TestRedis } from '@gateway/testing';

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

  it('takes jobs only once startAfter resolves, and never when closed before', async () => {
    const connection = { redis: redis.redis, prefix: redis.prefix };
    const queue = createQueue('rtc.delayed-leave', connection);
    const seen: string[] = [];
    const record = (job: { data: JobPayload<'rtc.delayed-leave'> }): Promise<void> => {
      seen.push(job.data.delegationId);
      return Promise.resolve();
    };
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const worker = createWorker('rtc.delayed-leave', record, connection, { startAfter: gate });
    await queue.add('leave', { delegationId: 'early' });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
    expect(await queue.getWaitingCount()).toBe(1);
    open();
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['early']);
    await worker.close();

    // Closed while waiting for its gate: it never starts, and the gate opening later changes nothing.
    let openLate: () => void = () => undefined;
    const late = createWorker('rtc.delayed-leave', record, connection, {
      startAfter: new Promise<void>((resolve) => (openLate = resolve)),
    });
    const errors: unknown[] = [];
    late.on('error', (err) => errors.push(err));
    await late.close();
    await queue.add('leave', { delegationId: 'after-close' });
    openLate();
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(['early']);
    expect(errors).toEqual([]);
    await queue.close();
  });

  it('closes a worker whose connections are still being set up without an unhandled rejection', async () => {
    // BullMQ sends INFO on each new connection once it is ready. A worker closed before the answer to
    // its blocking connection's INFO came (a replica stopped right after it started: rtc-jwt-service's
    // delayed-leave spec saw it in full runs) had that connection cut with INFO in flight, and BullMQ
    // re-emitted the rejection on a connection whose listeners it had already removed: an unhandled
    // rejection, "Connection is closed.". Closed at random moments of their first few milliseconds,
    // about one worker in twenty did that before the fix.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const connection = { redis: redis.redis, prefix: redis.prefix };
      for (let i = 0; i < 300; i++) {
        const worker = createWorker('rtc.delayed-leave', () => Promise.resolve(), connection);
        worker.on('error', () => undefined);
        await new Promise((r) => setTimeout(r, Math.random() * 6));
        await worker.close();
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled.map(String)).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('closes a worker within seconds when Redis cannot be reached', async () => {
    // Nothing listens on this port: the set-up never ends, and closing must not wait for it.
    const unreachable = new Redis(`redis://127.0.0.1:${String(await freePort())}`, {
      maxRetriesPerRequest: null,
    });
    unreachable.on('error', () => undefined);
    const worker = createWorker('rtc.delayed-leave', () => Promise.resolve(), { redis: unreachable });
    worker.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await worker.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    unreachable.disconnect();
  });
});
