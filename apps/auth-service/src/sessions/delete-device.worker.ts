import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { createWorker, type JobPayload } from '@gateway/queues';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AUTH_STORE, DELETE_DEVICE_QUEUE, REDIS, REDIS_PREFIX, SYNAPSE } from '../tokens';

const LOCK_TTL_MS = 30_000;

/**
 * Deletes a finished session's device in Synapse, from the `auth.delete-device` jobs SessionEnd adds.
 * Calls for one user are serialised with a Redis lock: Synapse's device list for a user is
 * read-modify-write, and concurrent deletes and upserts for the same user from several replicas could
 * interleave. A busy lock or a failed call throws, and BullMQ retries with backoff.
 */
@Injectable()
export class DeleteDeviceWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker: Worker | undefined;
  private readonly logger = new Logger('sessions');

  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    private readonly database: Database,
    @Inject(SYNAPSE) private readonly synapse: SynapseMasClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
    @Inject(DELETE_DEVICE_QUEUE) private readonly queue: Queue<JobPayload<'auth.delete-device'>>,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = createWorker(
      'auth.delete-device',
      (job) => this.process(job),
      { redis: this.redis, prefix: this.prefix },
      // Jobs read the schema: none is taken before the migrations ran.
      { startAfter: this.database.connected },
    );
    this.worker.on('failed', (job, err) => {
      this.logger.warn({
        msg: 'device deletion failed; will retry',
        attempt: job?.attemptsMade,
        reason: err.message,
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    // The queue is this module's too; closed after the worker, whose jobs may still be finishing.
    await this.queue.close();
  }

  async process(job: Job<JobPayload<'auth.delete-device'>>): Promise<void> {
    const { userId, deviceId } = job.data;
    const user = await this.store.users.findById(userId);
    if (!user) return; // the user is gone, and with them their devices
    const lock = `${this.prefix}:user-lock:${userId}`;
    const token = randomBytes(8).toString('hex');
    if ((await this.redis.set(lock, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK')
      throw new Error('user is locked by another job');
    try {
      await this.synapse.deleteDevice(user.localpart, deviceId);
    } finally {
      // Release only our own lock: it may have expired and been taken by another worker meanwhile.
      await this.redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
        1,
        lock,
        token,
      );
    }
  }
}
