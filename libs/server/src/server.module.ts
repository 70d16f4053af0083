import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { Lifecycle } from './lifecycle';
import { Metrics } from './metrics';
import { Readiness } from './readiness';

/** Health, readiness, metrics and lifecycle for every app; imported once by each app's root module. */
@Global()
@Module({
  controllers: [HealthController],
  exports: [Lifecycle, Metrics, Readiness],
  providers: [Lifecycle, Metrics, Readiness],
})
export class ServerModule {}
