import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Database, databaseDependency } from '@gateway/db';
import { redisDependency } from '@gateway/queues';
import { DependenciesModule, dependency, Metrics, ServerModule, type Dependency } from '@gateway/server';
import { SYNC_ENTITIES, SYNC_MIGRATIONS } from '@gateway/sync-data';
import type { SyncConfig } from './config';
import { UpstreamWellKnown } from './discovery/client-well-known';
import { WellKnownController } from './discovery/well-known.controller';
import { ForwardingMount } from './forwarding/forwarding-mount';
import { UpstreamForwarder } from './forwarding/upstream-forwarder';
import { PrometheusListener } from './prometheus-listener';
import { SyncController } from './sliding-sync/sync.controller';
import { SyncRuntime, type SyncTimings } from './sliding-sync/sync-runtime';
import { VersionsController } from './sliding-sync/versions.controller';
import { REDIS, SYNC_SERVICE, UPSTREAM_BASE, UPSTREAM_FORWARDER, WELL_KNOWN_DISCOVERY } from './tokens';
import { Upstream } from './upstream';

@Module({})
export class AppModule {
  static forRoot(config: SyncConfig, timings: SyncTimings = {}): DynamicModule {
    const dependencies: Dependency[] = [
      dependency({
        provide: Upstream,
        name: 'upstream',
        create: () => new Upstream(config.upstream),
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
    const prom = config.promBind;
    return {
      module: AppModule,
      imports: [ServerModule, DependenciesModule.forRoot(dependencies)],
      controllers: [SyncController, VersionsController, WellKnownController],
      providers: [
        { provide: UPSTREAM_FORWARDER, useFactory: () => new UpstreamForwarder(config.upstream) },
        { provide: UPSTREAM_BASE, useValue: config.upstream },
        {
          provide: WELL_KNOWN_DISCOVERY,
          useFactory: () => ({
            upstream: new UpstreamWellKnown(config.upstream),
            options: { publicUrl: config.publicUrl, livekitServiceUrl: config.livekitServiceUrl },
          }),
        },
        ForwardingMount,
        {
          provide: SyncRuntime,
          inject: [Database, Metrics, { token: REDIS, optional: true }],
          useFactory: (db: Database, metrics: Metrics, redis: Redis | undefined) =>
            new SyncRuntime(config, db, redis ?? undefined, metrics, timings),
        },
        { provide: SYNC_SERVICE, inject: [SyncRuntime], useFactory: (r: SyncRuntime) => r.service },
        ...(prom === undefined
          ? []
          : [
              {
                provide: PrometheusListener,
                inject: [Metrics],
                useFactory: (m: Metrics) => new PrometheusListener(prom, m),
              },
            ]),
      ],
    };
  }
}
