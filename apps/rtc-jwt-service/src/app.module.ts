import { Module, type DynamicModule } from '@nestjs/common';
import { redisDependency } from '@gateway/queues';
import { DependenciesModule, dependency, ServerModule } from '@gateway/server';
import { systemClock } from '@gateway/util';
import { AdminModule } from './admin/admin.module';
import type { RtcConfig } from './config';
import { HttpModule } from './http/http.module';
import { liveKitDependency } from './livekit/livekit.module';
import { CLOCK, REDIS, RTC_CONFIG } from './tokens';

/** The configuration, the clock and (when LIVEKIT_REDIS_URL is unset) a null Redis, for every module. */
@Module({})
class RuntimeModule {
  static forRoot(config: RtcConfig): DynamicModule {
    const noRedis = config.redisUrl === undefined ? [{ provide: REDIS, useValue: null }] : [];
    return {
      module: RuntimeModule,
      global: true,
      exports: [CLOCK, RTC_CONFIG, ...noRedis.map((p) => p.provide)],
      providers: [
        { provide: CLOCK, useValue: systemClock },
        { provide: RTC_CONFIG, useValue: config },
        ...noRedis,
      ],
    };
  }
}

/**
 * The request path is HttpModule → TokenModule → OpenIdModule / LimitsModule / DelayedLeaveModule;
 * LiveKit and Redis are dependencies (probed by `/ready`, closed on shutdown) every module can inject.
 */
@Module({})
export class AppModule {
  static forRoot(config: RtcConfig): DynamicModule {
    const dependencies = [liveKitDependency(config.livekit)];
    if (config.redisUrl !== undefined) dependencies.push(dependency(redisDependency(REDIS, config.redisUrl)));
    return {
      module: AppModule,
      imports: [
        ServerModule,
        RuntimeModule.forRoot(config),
        DependenciesModule.forRoot(dependencies),
        HttpModule,
        ...(config.admin ? [AdminModule.forRoot(config.admin)] : []),
      ],
    };
  }
}
