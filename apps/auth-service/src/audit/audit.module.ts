import { Logger, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AuthStore } from '@gateway/auth-data';
import { createQueue } from '@gateway/queues';
import type { Clock } from '@gateway/util';
import { AUDIT_LOG, AUDIT_PRUNE_QUEUE, AUTH_STORE, CLOCK, REDIS, REDIS_PREFIX } from '../tokens';
import { AuditLog } from './audit-log';
import { AuditPruneWorker } from './audit-prune.worker';

/** The audit log every feature writes to, and its hourly pruning. */
@Module({
  providers: [
    {
      provide: AUDIT_LOG,
      inject: [AUTH_STORE, CLOCK],
      useFactory: (store: AuthStore, clock: Clock) => {
        const logger = new Logger('audit');
        return new AuditLog(store.auditEvents, clock, (err, type) => {
          // Fail-open: the person's action went ahead; the operator learns the record is missing.
          logger.error({
            msg: 'an audit event could not be written',
            type,
            reason: err instanceof Error ? err.message : String(err),
          });
        });
      },
    },
    {
      provide: AUDIT_PRUNE_QUEUE,
      inject: [REDIS, REDIS_PREFIX],
      useFactory: (redis: Redis, prefix: string) => createQueue('auth.prune-audit', { redis, prefix }),
    },
    AuditPruneWorker,
  ],
  exports: [AUDIT_LOG],
})
export class AuditModule {}
