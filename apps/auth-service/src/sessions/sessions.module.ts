import { Logger, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AuthStore } from '@gateway/auth-data';
import { createQueue, type JobPayload } from '@gateway/queues';
import { SynapseModule } from '../synapse/synapse.module';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import {
  AUTH_STORE,
  DELETE_DEVICE_QUEUE,
  DEVICE_PROVISIONING,
  REDIS,
  REDIS_PREFIX,
  SESSION_END,
  SYNAPSE,
  SYNC_DEVICES_QUEUE,
} from '../tokens';
import { DeleteDeviceWorker } from './delete-device.worker';
import { DeviceProvisioning } from './device-provisioning';
import { SessionEnd } from './session-end';
import { SyncDevicesWorker } from './sync-devices.worker';

type DeleteQueue = Queue<JobPayload<'auth.delete-device'>>;

/**
 * A Matrix session's life in Synapse: its user and device made at the token response, deleted at its
 * end, and the periodic sync that heals drift between the two.
 */
@Module({
  imports: [SynapseModule],
  providers: [
    {
      provide: DELETE_DEVICE_QUEUE,
      inject: [REDIS, REDIS_PREFIX],
      useFactory: (redis: Redis, prefix: string): DeleteQueue =>
        createQueue('auth.delete-device', { redis, prefix }),
    },
    {
      provide: SESSION_END,
      inject: [AUTH_STORE, DELETE_DEVICE_QUEUE],
      useFactory: (store: AuthStore, queue: DeleteQueue) => new SessionEnd(store, queue),
    },
    {
      provide: DEVICE_PROVISIONING,
      inject: [AUTH_STORE, SYNAPSE],
      useFactory: (store: AuthStore, synapse: SynapseMasClient) => {
        const logger = new Logger('oidc');
        return new DeviceProvisioning(store, synapse, (err) => {
          logger.warn({
            msg: 'provisioning the device in Synapse failed',
            reason: err instanceof Error ? err.message : String(err),
          });
        });
      },
    },
    DeleteDeviceWorker,
    {
      provide: SYNC_DEVICES_QUEUE,
      inject: [REDIS, REDIS_PREFIX],
      useFactory: (redis: Redis, prefix: string): Queue<JobPayload<'auth.sync-devices'>> =>
        createQueue('auth.sync-devices', { redis, prefix }),
    },
    SyncDevicesWorker,
  ],
  exports: [SESSION_END, DEVICE_PROVISIONING, DELETE_DEVICE_QUEUE],
})
export class SessionsModule {}
