import { Module, type DynamicModule } from '@nestjs/common';
import { databaseDependency } from '@gateway/db';
import { redisDependency } from '@gateway/queues';
import { DependenciesModule, dependency, ServerModule } from '@gateway/server';
import type { AuthConfig } from './config';

export const REDIS = Symbol('REDIS');

@Module({})
export class AppModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServerModule,
        DependenciesModule.forRoot([
          dependency(
            databaseDependency({
              url: config.databaseUrl,
              entities: [],
              migrations: [],
              applicationName: 'auth-service',
              migrateOnConnect: true,
            }),
          ),
          dependency(redisDependency(REDIS, config.redisUrl)),
        ]),
      ],
    };
  }
}
