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
import type { AuthConfig } from '../config';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AUTH_CONFIG, AUTH_STORE, REDIS, REDIS_PREFIX, SYNAPSE, SYNC_DEVICES_QUEUE } from '../tokens';

type SyncQueue = Queue<JobPayload<'auth.sync-devices'>>;

const SCHEDULER_ID = 'sync-devices';
const LOCK_TTL_MS = 30_000;
const SWEEP_PAGE = 500;

/**
 * Heals drift between our sessions and Synapse's devices (a device created or deleted behind our back,
 * a deletion job that gave up): Synapse's `sync_devices` makes a user's device list exactly the devices
 * of their live OAuth and compat sessions. A BullMQ job scheduler adds one sweep job every
 * AUTH_SYNC_DEVICES_INTERVAL seconds, whatever the number of replicas, and one worker takes it; the
 * sweep fans out one job per user (deduplicated by job id), each under the same per-user Redis lock as
 * device deletion, since Synapse's device list is read-modify-write.
 */
@Injectable()
export class SyncDevicesWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker: Worker | undefined;
  private readonly logger = new Logger('sessions');

  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    private readonly database: Database,
    @Inject(SYNAPSE) private readonly synapse: SynapseMasClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
    @Inject(SYNC_DEVICES_QUEUE) private readonly queue: SyncQueue,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.worker = createWorker(
      'auth.sync-devices',
      (job) => this.process(job),
      { redis: this.redis, prefix: this.prefix },
      // Jobs read the schema: none is taken before the migrations ran.
      { startAfter: this.database.connected },
    );
    this.worker.on('failed', (job, err) => {
      this.logger.warn({
        msg: 'device sync failed; will retry',
        attempt: job?.attemptsMade,
        reason: err.message,
      });
    });
    const every = this.config.syncDevicesIntervalSeconds * 1000;
    // The scheduler lives in Redis, shared by the replicas: upserting it is idempotent, and turning the
    // job off on any replica removes it for all.
    if (every > 0) await this.queue.upsertJobScheduler(SCHEDULER_ID, { every }, { name: 'sweep', data: {} });
    else await this.queue.removeJobScheduler(SCHEDULER_ID);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  async process(job: Job<JobPayload<'auth.sync-devices'>>): Promise<void> {
    const { userId } = job.data;
    if (userId === undefined) await this.sweep();
    else await this.syncUser(userId);
  }

  /** One job per user that is not deactivated (Synapse deleted their devices when it deactivated them). */
  private async sweep(): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.users.list(
        {},
        after === undefined ? { first: SWEEP_PAGE } : { first: SWEEP_PAGE, after },
      );
      const jobs = page.items
        .filter((u) => u.deactivatedAt === null)
        .map((u) => ({
          name: 'user',
          data: { userId: u.id },
          opts: {
            jobId: `user.${u.id}`,
            attempts: 5,
            backoff: { type: 'exponential', delay: 1_000 },
            // Removed once done, so the next sweep can add the same job id again.
            removeOnComplete: true,
            removeOnFail: true,
          },
        }));
      if (jobs.length > 0) await this.queue.addBulk(jobs);
      const last = page.items.at(-1);
      if (!page.hasNext || last === undefined) return;
      after = last.id;
    }
  }

  /** Makes Synapse's device list of the user that of their live sessions. */
  async syncUser(userId: string): Promise<void> {
    const user = await this.store.users.findById(userId);
    if (!user || user.deactivatedAt !== null) return;
    const lock = `${this.prefix}:user-lock:${userId}`;
    const token = randomBytes(8).toString('hex');
    if ((await this.redis.set(lock, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK')
      throw new Error('user is locked by another job');
    try {
      const before = await this.liveDevices(userId);
      try {
        await this.synapse.syncDevices(user.localpart, before);
      } catch (err) {
        // Never provisioned in Synapse (no session yet): nothing to heal.
        if (err instanceof SynapseCallError && err.status === 404) return;
        throw err;
      }
      // A sign-in creates its device before recording its session; one that did so while the list above
      // was read would have lost its device: put back any device that appeared meanwhile.
      for (const deviceId of await this.liveDevices(userId)) {
        if (!before.has(deviceId)) await this.synapse.upsertDevice(user.localpart, deviceId);
      }
    } finally {
      await this.redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
        1,
        lock,
        token,
      );
    }
  }

  private async liveDevices(userId: string): Promise<Set<string>> {
    const oauth = await this.store.sessions.activeForUser(userId);
    const compat = await this.store.compat.activeForUser(userId);
    // Personal tokens with the Matrix API have a device too; those without have none to keep.
    const personal = await this.store.personal.activeForUser(userId);
    return new Set([
      ...[...oauth, ...compat].map((s) => s.deviceId),
      ...personal.flatMap((s) => (s.deviceId === null ? [] : [s.deviceId])),
    ]);
  }
}
