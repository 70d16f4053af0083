import { Module } from '@nestjs/common';
import { Lifecycle } from '@gateway/server';
import type { RtcConfig } from '../config';
import { CsApiResolver } from '../delayed-leave/cs-api-resolver';
import { DELAYED_LEAVE, DelayedLeaveModule } from '../delayed-leave/delayed-leave.module';
import type { DelayedLeaveManager } from '../delayed-leave/types';
import { IP_LIMITER, LimitsModule, USER_LIMITER } from '../limits/limits.module';
import type { RateLimiter } from '@gateway/util';
import { LiveKitRooms } from '../livekit/livekit-rooms';
import { MEMBERSHIP, MembershipModule, type Membership } from '../membership/membership.module';
import { OpenIdModule } from '../openid/openid.module';
import { OpenIdVerifier } from '../openid/openid-verifier';
import { RTC_CONFIG } from '../tokens';
import { FullAccessPolicy } from './full-access';
import { TokenIssuer } from './token-issuer';
import { TokenMetrics } from './token-metrics';

/** The token endpoints' logic: limits, verification, the full-access plan, minting, CreateRoom. */
@Module({
  exports: [TokenIssuer],
  imports: [DelayedLeaveModule, LimitsModule, MembershipModule, OpenIdModule],
  providers: [
    TokenMetrics,
    {
      provide: TokenIssuer,
      inject: [
        RTC_CONFIG,
        OpenIdVerifier,
        LiveKitRooms,
        CsApiResolver,
        DELAYED_LEAVE,
        IP_LIMITER,
        USER_LIMITER,
        Lifecycle,
        TokenMetrics,
        MEMBERSHIP,
      ],
      useFactory: (
        config: RtcConfig,
        verifier: OpenIdVerifier,
        rooms: LiveKitRooms,
        csApi: CsApiResolver,
        delayedLeave: DelayedLeaveManager,
        ipLimiter: RateLimiter | null,
        userLimiter: RateLimiter | null,
        lifecycle: Lifecycle,
        metrics: TokenMetrics,
        membership: Membership | null,
      ) =>
        new TokenIssuer({
          livekit: config.livekit,
          parseOptions: { strictUnknownFields: config.strictUnknownFields },
          verifier,
          policy: new FullAccessPolicy(config.fullAccessHomeservers),
          rooms,
          csApi,
          delayedLeave,
          ipLimiter,
          userLimiter,
          membership,
          shuttingDown: () => lifecycle.shuttingDown,
          onCreateRoomError: (failure) => {
            metrics.createRoomErrors.inc({ cause: failure.cause });
          },
        }),
    },
  ],
})
export class TokenModule {}
