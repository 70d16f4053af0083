import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AuthStore } from '@gateway/auth-data';
import type { JobPayload } from '@gateway/queues';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';

const LOCK_TTL_MS = 30_000;

/**
 * Deletes a finished session's device in Synapse. Calls for one user are serialised with a Redis lock:
 * Synapse's device list for a user is read-modify-write, and concurrent deletes and upserts for the
 * same user from several replicas could interleave. A busy lock or a failed call throws, and BullMQ
 * retries with backoff.
 */
export class DeleteDeviceWorker {
  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly redis: Redis,
    private readonly lockPrefix: string,
  ) {}

  async process(job: Job<JobPayload<'auth.delete-device'>>): Promise<void> {
    const { userId, deviceId } = job.data;
    const user = await this.store.users.findById(userId);
    if (!user) return; // the user is gone, and with them their devices
    const lock = `${this.lockPrefix}:user-lock:${userId}`;
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
