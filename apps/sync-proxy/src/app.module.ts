import { Module, type DynamicModule } from '@nestjs/common';
import { databaseDependency } from '@gateway/db';
import { redisDependency } from '@gateway/queues';
import { DependenciesModule, dependency, Metrics, ServerModule, type Dependency } from '@gateway/server';
import type { SyncConfig } from './config';
import { ForwardingMount } from './forwarding/forwarding-mount';
import { UpstreamForwarder } from './forwarding/upstream-forwarder';
import { PrometheusListener } from './prometheus-listener';
import { REDIS, UPSTREAM_FORWARDER } from './tokens';
import { Upstream } from './upstream';

@Module({})
export class AppModule {
  static forRoot(config: SyncConfig): DynamicModule {
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
          entities: [],
          migrations: [],
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
      providers: [
        { provide: UPSTREAM_FORWARDER, useFactory: () => new UpstreamForwarder(config.upstream) },
        ForwardingMount,
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
