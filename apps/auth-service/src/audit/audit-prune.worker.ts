import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AuthStore } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { createWorker, type JobPayload } from '@gateway/queues';
import type { Clock } from '@gateway/util';
import type { AuthConfig } from '../config';
import { AUDIT_PRUNE_QUEUE, AUTH_CONFIG, AUTH_STORE, CLOCK, REDIS, REDIS_PREFIX } from '../tokens';

type PruneQueue = Queue<JobPayload<'auth.prune-audit'>>;

const SCHEDULER_ID = 'prune-audit';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Bounds the audit log: a BullMQ job scheduler (shared by the replicas through Redis, as the device
 * sync's is) adds one prune job an hour, and the worker that takes it deletes the events older than
 * AUTH_AUDIT_RETENTION_DAYS. 0 keeps everything and removes the schedule for every replica.
 */
@Injectable()
export class AuditPruneWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker: Worker | undefined;
  private readonly logger = new Logger('audit');

  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    private readonly database: Database,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
    @Inject(AUDIT_PRUNE_QUEUE) private readonly queue: PruneQueue,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.worker = createWorker(
      'auth.prune-audit',
      () => this.prune(),
      { redis: this.redis, prefix: this.prefix },
      // Jobs read the schema: none is taken before the migrations ran.
      { startAfter: this.database.connected },
    );
    this.worker.on('failed', (_job, err) => {
      this.logger.warn({
        msg: 'pruning the audit log failed; the next hour tries again',
        reason: err.message,
      });
    });
    if (this.config.auditRetentionDays > 0)
      await this.queue.upsertJobScheduler(SCHEDULER_ID, { every: HOUR_MS }, { name: 'prune', data: {} });
    else await this.queue.removeJobScheduler(SCHEDULER_ID);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  /** Deletes what is past the retention now; how many events went. */
  async prune(): Promise<number> {
    const days = this.config.auditRetentionDays;
    if (days === 0) return 0;
    const pruned = await this.store.auditEvents.pruneBefore(new Date(this.clock() - days * DAY_MS));
    if (pruned > 0) this.logger.log({ msg: 'audit events past their retention deleted', pruned });
    return pruned;
  }
}
