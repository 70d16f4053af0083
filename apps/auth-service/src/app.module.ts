import { createHmac } from 'node:crypto';
import {
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '@gateway/auth-data';
import { Database, databaseDependency } from '@gateway/db';
import { createQueue, createWorker, redisDependency, type JobPayload } from '@gateway/queues';
import { DependenciesModule, dependency, ServerModule } from '@gateway/server';
import { Accounts } from './accounts/accounts';
import { LoginLimiter } from './accounts/login-limiter';
import type { AuthConfig } from './config';
import { AccountController } from './account-management/account.controller';
import { InteractionController } from './interaction/interaction.controller';
import { IntrospectionController } from './introspection/introspection.controller';
import { OidcMount } from './oidc/oidc-mount';
import { createProvider } from './oidc/provider.factory';
import { loadOrCreateSigningKeys, type SigningKeys } from './oidc/signing-keys';
import { DeleteDeviceWorker } from './sessions/delete-device.worker';
import { DeviceProvisioning } from './sessions/device-provisioning';
import { SessionEnd } from './sessions/session-end';
import { SynapseMasClient } from './synapse/synapse-mas-client';
import {
  ACCOUNTS,
  AUTH_CONFIG,
  AUTH_STORE,
  CSRF_KEY,
  LOGIN_LIMITER,
  OIDC_PROVIDER,
  REDIS,
  SESSION_END,
  SIGNING_KEYS,
  SYNAPSE,
} from './tokens';

const DELETE_QUEUE = Symbol('DELETE_QUEUE');
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/** Background work: the device-deletion worker and pruning of expired OIDC rows. */
class BackgroundWork implements OnModuleInit, OnApplicationShutdown {
  private worker: Worker | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('background');

  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly database: Database,
    private readonly prefix: string,
  ) {}

  onModuleInit(): void {
    const deleter = new DeleteDeviceWorker(this.store, this.synapse, this.redis, this.prefix);
    this.worker = createWorker('auth.delete-device', (job) => deleter.process(job), {
      redis: this.redis,
      prefix: this.prefix,
    });
    this.worker.on('failed', (job, err) => {
      this.logger.warn({
        msg: 'device deletion failed; will retry',
        attempt: job?.attemptsMade,
        reason: err.message,
      });
    });
    this.pruner = setInterval(() => {
      if (!this.database.isConnected) return;
      this.store.payloads.pruneExpired().catch((err: unknown) => {
        this.logger.warn({
          msg: 'pruning expired OIDC rows failed',
          reason: err instanceof Error ? err.message : String(err),
        });
      });
    }, PRUNE_INTERVAL_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pruner);
    await this.worker?.close();
    await this.queue.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AuthConfig, options: { redisPrefix?: string } = {}): DynamicModule {
    const prefix = options.redisPrefix ?? 'auth';
    return {
      module: AppModule,
      imports: [
        ServerModule,
        DependenciesModule.forRoot([
          dependency(
            databaseDependency({
              url: config.databaseUrl,
              entities: AUTH_ENTITIES,
              migrations: AUTH_MIGRATIONS,
              applicationName: 'auth-service',
              migrateOnConnect: true,
            }),
          ),
          dependency(redisDependency(REDIS, config.redisUrl)),
        ]),
      ],
      controllers: [InteractionController, IntrospectionController, AccountController],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: SIGNING_KEYS, useFactory: () => loadOrCreateSigningKeys(config.signingKeyFile) },
        {
          provide: CSRF_KEY,
          inject: [SIGNING_KEYS],
          useFactory: (keys: SigningKeys) =>
            createHmac('sha256', keys.cookieKeys[0] ?? '')
              .update('csrf')
              .digest('base64url'),
        },
        {
          provide: AUTH_STORE,
          inject: [Database],
          useFactory: (db: Database) => new AuthStore(db.dataSource),
        },
        {
          provide: SYNAPSE,
          useFactory: () =>
            new SynapseMasClient({ baseUrl: config.synapseUrl, secret: config.synapseSecret }),
        },
        {
          provide: ACCOUNTS,
          inject: [AUTH_STORE],
          useFactory: (store: AuthStore) => new Accounts(store, config.homeserver),
        },
        {
          provide: LOGIN_LIMITER,
          inject: [REDIS],
          useFactory: (redis: Redis) => new LoginLimiter(redis, prefix, config.loginAttempts),
        },
        {
          provide: DELETE_QUEUE,
          inject: [REDIS],
          useFactory: (redis: Redis): Queue<JobPayload<'auth.delete-device'>> =>
            createQueue('auth.delete-device', { redis, prefix }),
        },
        {
          provide: SESSION_END,
          inject: [AUTH_STORE, DELETE_QUEUE],
          useFactory: (store: AuthStore, queue: Queue<JobPayload<'auth.delete-device'>>) =>
            new SessionEnd(store, queue),
        },
        {
          provide: OIDC_PROVIDER,
          inject: [AUTH_STORE, SIGNING_KEYS, SYNAPSE, SESSION_END],
          useFactory: async (
            store: AuthStore,
            keys: SigningKeys,
            synapse: SynapseMasClient,
            sessionEnd: SessionEnd,
          ): Promise<Provider> => {
            const logger = new Logger('oidc');
            const provider = await createProvider({ config, store, keys });
            const report = (msg: string) => (err: unknown) => {
              logger.warn({ msg, reason: err instanceof Error ? err.message : String(err) });
            };
            provider.use(
              new DeviceProvisioning(
                store,
                synapse,
                report('provisioning the device in Synapse failed'),
              ).middleware(),
            );
            provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
              sessionEnd.grantRevoked(grantId).catch(report('ending the session failed'));
            });
            provider.on('server_error', (_ctx: unknown, err: unknown) => {
              report('oidc-provider server error')(err);
            });
            return provider;
          },
        },
        {
          provide: BackgroundWork,
          inject: [AUTH_STORE, SYNAPSE, REDIS, DELETE_QUEUE, Database],
          useFactory: (
            store: AuthStore,
            synapse: SynapseMasClient,
            redis: Redis,
            queue: Queue,
            db: Database,
          ) => new BackgroundWork(store, synapse, redis, queue, db, prefix),
        },
        OidcMount,
      ],
    };
  }
}
