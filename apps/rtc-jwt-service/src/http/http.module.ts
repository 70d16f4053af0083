import { Module } from '@nestjs/common';
import { ChecksModule } from '../checks/checks.module';
import { DelayedLeaveModule } from '../delayed-leave/delayed-leave.module';
import { LiveKitModule } from '../livekit/livekit.module';
import { MembershipModule } from '../membership/membership.module';
import { TokenModule } from '../token/token.module';
import { HealthzController } from './healthz.controller';
import { RequestMetrics } from './request-metrics';
import { TokenRoutes } from './token-routes';
import { WebhookController } from './webhook.controller';

/** lk-jwt-service's HTTP surface: the token endpoints are plain Fastify routes (token-routes.ts), Fastify-level details are in fastify-setup.ts. */
@Module({
  controllers: [HealthzController, WebhookController],
  imports: [ChecksModule, DelayedLeaveModule, LiveKitModule, MembershipModule, TokenModule],
  providers: [RequestMetrics, TokenRoutes],
})
export class HttpModule {}
