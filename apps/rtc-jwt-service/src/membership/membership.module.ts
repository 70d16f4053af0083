import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { appLog } from '@gateway/server';
import type { Clock } from '@gateway/util';
import type { RtcConfig } from '../config';
import { CsApiResolver } from '../delayed-leave/cs-api-resolver';
import { DELAYED_LEAVE, DelayedLeaveModule } from '../delayed-leave/delayed-leave.module';
import type { DelayedLeaveManager } from '../delayed-leave/types';
import { LiveKitRooms } from '../livekit/livekit-rooms';
import { CLOCK, REDIS, RTC_CONFIG } from '../tokens';
import { IsJoinedClient } from './is-joined-client';
import { MembershipChecker } from './membership-checker';
import { MembershipGate } from './membership-gate';
import { MembershipMonitor } from './membership-monitor';
import { OAuthTokenSource } from './oauth-token-source';
import type { ScopeBearer } from './scope-bearer';
import { MemoryTrackedStore } from './tracked-store';
import { RedisTrackedStore } from './tracked-store-redis';

/** `{ gate, monitor }`, or null when no membership configuration is given. */
export const MEMBERSHIP = Symbol('MEMBERSHIP');

/**
 * How this service holds the `is_joined` scope (ScopeBearer), or null without membership: the one token
 * source the membership checks use, so `/ready` checks the very token the service sends.
 */
export const MEMBERSHIP_SCOPE = Symbol('MEMBERSHIP_SCOPE');

export interface Membership {
  gate: MembershipGate;
  monitor: MembershipMonitor;
}

/** A token's lifetime (token/token-minter.ts TOKEN_TTL_SECONDS): after it, a participant cannot rejoin. */
const TOKEN_LIFETIME_MS = 3600 * 1000;

/**
 * Runs the periodic membership check (LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS) once the app is up and
 * stops it before shutdown (every replica ticks; with Redis, the pass lease lets one of them run it);
 * without membership configuration, says once that nobody is checked.
 */
@Injectable()
class MembershipRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('membership');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(MEMBERSHIP) private readonly membership: Membership | null,
    @Inject(RTC_CONFIG) private readonly config: RtcConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.membership?.checkIntervalMs ?? 0;
    if (this.membership === null) {
      this.logger.warn(
        'room membership is not checked: any user of a reachable homeserver gets a token for any room. ' +
          'Set LIVEKIT_AS_REGISTRATION_FILE (or LIVEKIT_AS_TOKEN and LIVEKIT_HS_TOKEN, or LIVEKIT_OAUTH_*) and LIVEKIT_HS_SERVER_NAME (see README)',
      );
      return;
    }
    if (interval === 0) return;
    const monitor = this.membership.monitor;
    this.timer = setInterval(() => {
      void monitor.checkAll();
    }, interval);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

/** MSC4502 membership: checked before a token is minted, and again while the participant is connected. */
@Module({
  imports: [DelayedLeaveModule],
  exports: [MEMBERSHIP, MEMBERSHIP_SCOPE],
  providers: [
    MembershipRunner,
    {
      provide: MEMBERSHIP_SCOPE,
      inject: [RTC_CONFIG, CLOCK],
      useFactory: (config: RtcConfig, clock: Clock): ScopeBearer | null => {
        const m = config.membership;
        if (m === null) return null;
        return m.oauth === null
          ? { kind: 'appservice', asToken: m.asToken ?? '' }
          : {
              kind: 'oauth',
              client: m.oauth,
              source: new OAuthTokenSource(m.oauth, clock, undefined, config.insecureSkipVerifyTls),
            };
      },
    },
    {
      provide: MEMBERSHIP,
      inject: [RTC_CONFIG, CsApiResolver, LiveKitRooms, DELAYED_LEAVE, CLOCK, MEMBERSHIP_SCOPE, REDIS],
      useFactory: (
        config: RtcConfig,
        csApi: CsApiResolver,
        rooms: LiveKitRooms,
        delayedLeave: DelayedLeaveManager,
        clock: Clock,
        scope: ScopeBearer | null,
        redis: Redis | null,
      ): Membership | null => {
        const m = config.membership;
        if (m === null || scope === null) return null;
        const client = new IsJoinedClient({
          baseUrl: () => csApi.resolve(m.serverName),
          insecureSkipVerifyTls: config.insecureSkipVerifyTls,
          ...(scope.kind === 'appservice' ? { asToken: scope.asToken } : { tokenSource: scope.source }),
        });
        const checker = new MembershipChecker({
          isJoined: (roomId, subject) => client.isJoined(roomId, subject),
          cacheTtlMs: m.cacheTtlMs,
          clock,
        });
        return {
          gate: new MembershipGate(checker, config.fullAccessHomeservers),
          monitor: new MembershipMonitor({
            checker,
            rooms,
            forgetDelayedLeave: (room, identity) => delayedLeave.forget(room, identity),
            // With Redis, every replica sees every watched participant (webhooks land on any replica).
            store:
              redis === null
                ? new MemoryTrackedStore(clock)
                : new RedisTrackedStore(redis, `${config.redisPrefix}:mm`),
            clock,
            log: appLog('membership'),
            tokenLifetimeMs: TOKEN_LIFETIME_MS,
            checkIntervalMs: m.checkIntervalMs,
          }),
        };
      },
    },
  ],
})
export class MembershipModule {}
