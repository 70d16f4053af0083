import { Queue, Worker, type JobsOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobPayload, QueueName } from './jobs';

export interface QueueConnection {
  redis: Redis;
  /** Key prefix; tests use one per test so queues never share state. */
  prefix?: string;
}

/** A BullMQ queue typed by its name: only that queue's payload can be added. */
export function createQueue<Q extends QueueName>(
  name: Q,
  connection: QueueConnection,
  defaults: JobsOptions = {},
): Queue<JobPayload<Q>> {
  return new Queue<JobPayload<Q>>(name, {
    connection: connection.redis,
    prefix: connection.prefix ?? 'bull',
    defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000, ...defaults },
  });
}

export function createWorker<Q extends QueueName>(
  name: Q,
  processor: Processor<JobPayload<Q>>,
  connection: QueueConnection,
  options: Omit<WorkerOptions, 'connection' | 'prefix'> = {},
): Worker<JobPayload<Q>> {
  // Workers need their own blocking connection; duplicate() keeps the same URL and options.
  return new Worker<JobPayload<Q>>(name, processor, {
    ...options,
    connection: connection.redis.duplicate(),
    prefix: connection.prefix ?? 'bull',
  });
}
