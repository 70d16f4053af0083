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

/**
 * A worker that owns its Redis connection. BullMQ treats a connection passed in as shared and never
 * closes it, so the worker closes it itself once BullMQ has finished with it.
 */
class OwningWorker<T> extends Worker<T> {
  constructor(
    name: string,
    processor: Processor<T>,
    options: WorkerOptions,
    private readonly owned: Redis,
  ) {
    super(name, processor, { ...options, connection: owned });
  }

  override async close(force?: boolean): Promise<void> {
    // Let BullMQ finish setting up both connections first, this one and the blocking one it duplicates
    // (`waitUntilReady` waits for the two): cutting one while its set-up INFO is in flight makes BullMQ
    // re-emit the rejection on a connection whose listeners it already removed, an unhandled rejection
    // ("Connection is closed."). Bounded, because with Redis unreachable the set-up never ends.
    await settledWithin(this.waitUntilReady(), SETUP_WAIT_MS);
    await super.close(force);
    this.owned.disconnect();
  }
}

/** How long closing a worker waits for its connections' set-up. */
const SETUP_WAIT_MS = 2_000;

async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CreateWorkerOptions extends Omit<WorkerOptions, 'connection' | 'prefix' | 'autorun'> {
  /**
   * Jobs are taken only once this resolves (typically the database connected and migrated). A service
   * starts before its database (it answers 503 on `/ready` meanwhile), and a job taken before the
   * migrations ran failed on a missing table: on a new database the first audit prune of auth-service
   * failed with `relation "audit_events" does not exist` and waited an hour for the next.
   */
  startAfter?: Promise<unknown>;
}

export function createWorker<Q extends QueueName>(
  name: Q,
  processor: Processor<JobPayload<Q>>,
  connection: QueueConnection,
  options: CreateWorkerOptions = {},
): Worker<JobPayload<Q>> {
  const { startAfter, ...workerOptions } = options;
  // Workers need their own connection; duplicate() keeps the same URL and options.
  const worker = new OwningWorker<JobPayload<Q>>(
    name,
    processor,
    {
      ...workerOptions,
      autorun: startAfter === undefined,
      connection: connection.redis,
      prefix: connection.prefix ?? 'bull',
    },
    connection.redis.duplicate(),
  );
  if (startAfter !== undefined) {
    // Reported as BullMQ's own autorun reports a failed run. A worker closed meanwhile does not start.
    const report = (err: unknown): void => {
      worker.emit('error', err instanceof Error ? err : new Error(String(err)));
    };
    startAfter.then(() => {
      if (worker.closing === undefined) worker.run().catch(report);
    }, report);
  }
  return worker;
}
