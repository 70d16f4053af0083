import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Readiness } from '@gateway/server';
import type { RtcConfig } from '../config';
import { CsApiResolver } from '../delayed-leave/cs-api-resolver';
import { DelayedLeaveModule } from '../delayed-leave/delayed-leave.module';
import { LiveKitRooms } from '../livekit/livekit-rooms';
import { MEMBERSHIP_SCOPE, MembershipModule } from '../membership/membership.module';
import { RTC_CONFIG } from '../tokens';
import type { ScopeBearer } from '../membership/scope-bearer';
import { checkMembershipScope } from './membership-scope';
import { checkHomeserver, checkLiveKit, type Finding } from './rtc-checks';

/** A readiness check from a finding: resolves with what passed, rejects with what to fix. */
const asCheck = (probe: () => Promise<Finding>) => async (): Promise<string> => {
  const finding = await probe();
  if (!finding.ok) throw new Error(finding.text);
  return finding.text;
};

/**
 * `/ready` names each link of the RTC path beside `livekit` (reachability, from the LiveKit dependency):
 * `livekit-key` (ListRooms signed with our key is accepted) and, with membership configured,
 * `homeserver` (our homeserver's client-server API answers) and `membership-scope` (it answers
 * `is_joined` to the bearer the service uses: the application service's token, or the service's own
 * `client_credentials` token, which carries the scope). The same checks as `cli.js doctor`, so both
 * tell the same story.
 */
@Injectable()
class RtcReadinessChecks implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    private readonly rooms: LiveKitRooms,
    private readonly csApi: CsApiResolver,
    @Inject(RTC_CONFIG) private readonly config: RtcConfig,
    @Inject(MEMBERSHIP_SCOPE) private readonly scope: ScopeBearer | null,
  ) {}

  onModuleInit(): void {
    const { url, key } = this.config.livekit;
    this.readiness.register(
      'livekit-key',
      asCheck(async () => (await checkLiveKit(this.rooms, url, key)).key),
    );
    const m = this.config.membership;
    if (m === null) return;
    this.readiness.register(
      'homeserver',
      asCheck(async () =>
        checkHomeserver(
          await this.csApi.resolve(m.serverName),
          m.serverName,
          this.config.insecureSkipVerifyTls,
        ),
      ),
    );
    const scope = this.scope;
    if (scope === null) return;
    this.readiness.register(
      'membership-scope',
      asCheck(async () => {
        const base = await this.csApi.resolve(m.serverName);
        if (base === null) return { ok: false, text: `not checked: ${m.serverName} cannot be found` };
        return checkMembershipScope(base, m.serverName, scope, this.config.insecureSkipVerifyTls);
      }),
    );
  }
}

@Module({
  imports: [DelayedLeaveModule, MembershipModule],
  providers: [RtcReadinessChecks],
})
export class ChecksModule {}
