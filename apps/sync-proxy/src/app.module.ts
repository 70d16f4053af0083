import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Database, databaseDependency } from '@gateway/db';
import { redisDependency } from '@gateway/queues';
import { DependenciesModule, dependency, ServerModule, type Dependency } from '@gateway/server';
import { SYNC_ENTITIES, SYNC_MIGRATIONS, SyncStore } from '@gateway/sync-data';
import { ADMIN_PATHS } from './admin/admin-views';
import { AdminModule } from './admin/admin.module';
import { AUTH_OPTIONS, type AuthOptions } from './auth/auth.module';
import type { SyncConfig } from './config';
import { EDGE_PATHS, EdgeModule } from './edge/edge.module';
import { UpstreamWellKnown } from './edge/client-well-known';
import { VERSIONS_UPSTREAM } from './edge/versions.controller';
import { WELL_KNOWN_DISCOVERY, type WellKnownDiscovery } from './edge/well-known.controller';
import {
  FORWARDED_LISTENER,
  FORWARDING_OPTIONS,
  type ForwardingOptions,
} from './forwarding/forwarding-mount';
import { ForwardingModule } from './forwarding/forwarding.module';
import { UpstreamProbe } from './forwarding/upstream-probe';
import { POLLER_OPTIONS, type PollerOptions } from './poller/poller.module';
import {
  SLIDING_SYNC_OPTIONS,
  SlidingSyncModule,
  type SlidingSyncOptions,
} from './sliding-sync/sliding-sync.module';
import { ThreadSubscriptionWake } from './sliding-sync/thread-subscription-wake';
import { REDIS } from './wake/wake.module';

/** Timings tests shorten; production uses the defaults. */
export type SyncTimings = Omit<PollerOptions, 'upstream'> & Omit<SlidingSyncOptions, 'upstream'>;

/**
 * What every feature module reads: the store, and each folder's options from the parsed config.
 * Global, so feature modules inject them without importing this file (folders never import the root).
 */
@Global()
@Module({})
class SyncSettingsModule {
  static forRoot(config: SyncConfig, timings: SyncTimings): DynamicModule {
    const { firstSyncWaitMs, ...pollerTimings } = timings;
    const settings = [
      {
        provide: AUTH_OPTIONS,
        useValue: { upstream: config.upstream, secret: config.secret } satisfies AuthOptions,
      },
      {
        provide: POLLER_OPTIONS,
        useValue: { upstream: config.upstream, ...pollerTimings } satisfies PollerOptions,
      },
      {
        provide: SLIDING_SYNC_OPTIONS,
        useValue: {
          upstream: config.upstream,
          ...(firstSyncWaitMs === undefined ? {} : { firstSyncWaitMs }),
        } satisfies SlidingSyncOptions,
      },
      {
        provide: FORWARDING_OPTIONS,
        useValue: {
          upstream: config.upstream,
          // The admin paths reach the app only through the internal listener (app-options.ts).
          ownPaths: config.admin === null ? EDGE_PATHS : [...EDGE_PATHS, ...ADMIN_PATHS],
          authService: config.authServiceUrl,
        } satisfies ForwardingOptions,
      },
      { provide: VERSIONS_UPSTREAM, useValue: config.upstream },
      {
        provide: WELL_KNOWN_DISCOVERY,
        useValue: {
          upstream: new UpstreamWellKnown(config.upstream),
          options: { publicUrl: config.publicUrl, livekitServiceUrl: config.livekitServiceUrl },
        } satisfies WellKnownDiscovery,
      },
    ];
    return {
      module: SyncSettingsModule,
      providers: [
        {
          provide: SyncStore,
          inject: [Database],
          useFactory: (db: Database) => new SyncStore(db.dataSource),
        },
        ...settings,
      ],
      exports: [SyncStore, ...settings.map((s) => s.provide)],
    };
  }
}

/**
 * What forwarding tells of the requests it passed through: a thread subscription changed through the
 * proxy wakes the user's long-polls (sliding-sync/thread-subscription-wake.ts).
 */
@Global()
@Module({
  imports: [SlidingSyncModule],
  providers: [{ provide: FORWARDED_LISTENER, useExisting: ThreadSubscriptionWake }],
  exports: [FORWARDED_LISTENER],
})
class ForwardedListenerModule {}

/**
 * The sync proxy: the edge (sync endpoints, /versions, forwarding of everything else) in front of the
 * read path (sliding-sync/) and the write path (poller/), which meet in Postgres and wake/.
 */
@Module({})
export class AppModule {
  static forRoot(config: SyncConfig, timings: SyncTimings = {}): DynamicModule {
    const dependencies: Dependency[] = [
      dependency({
        provide: UpstreamProbe,
        name: 'upstream',
        create: () => new UpstreamProbe(config.upstream),
        ping: (u) => u.ping(),
        close: () => undefined,
      }),
      dependency(
        databaseDependency({
          url: config.databaseUrl,
          entities: SYNC_ENTITIES,
          migrations: SYNC_MIGRATIONS,
          poolSize: config.maxDbConnections,
          applicationName: 'sync-proxy',
          migrateOnConnect: true,
        }),
      ),
    ];
    if (config.redisUrl !== undefined) dependencies.push(dependency(redisDependency(REDIS, config.redisUrl)));
    return {
      module: AppModule,
      imports: [
        ServerModule,
        DependenciesModule.forRoot(dependencies),
        SyncSettingsModule.forRoot(config, timings),
        EdgeModule,
        ForwardedListenerModule,
        ForwardingModule,
        ...(config.admin === null ? [] : [AdminModule.forRoot(config.admin)]),
      ],
    };
  }
}
