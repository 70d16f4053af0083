import { All, Body, Controller, Headers, Inject, Logger, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WebhookReceiver } from 'livekit-server-sdk';
import { DELAYED_LEAVE } from '../delayed-leave/delayed-leave.module';
import type { DelayedLeaveManager } from '../delayed-leave/types';
import { MEMBERSHIP, type Membership } from '../membership/membership.module';

// livekit.DisconnectReason.CLIENT_INITIATED in LiveKit's protocol; the SDK does not re-export the enum.
const CLIENT_INITIATED = 1;

/**
 * LiveKit's webhooks: participant joins and leaves drive the delayed-leave jobs, and a join has the
 * participant's room membership checked again (a member who left since the token was minted is removed). Always 200, as
 * lk-jwt-service: LiveKit retries failed deliveries, and a bad signature will not get better by retrying.
 */
@Controller()
export class WebhookController {
  private readonly logger = new Logger('sfu_webhook');

  constructor(
    private readonly receiver: WebhookReceiver,
    @Inject(DELAYED_LEAVE) private readonly delayedLeave: DelayedLeaveManager,
    @Inject(MEMBERSHIP) private readonly membership: Membership | null,
  ) {}

  @All('sfu_webhook')
  async receive(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      const event = await this.receiver.receive(typeof body === 'string' ? body : '', authorization);
      const room = event.room?.name;
      const identity = event.participant?.identity;
      if (room !== undefined && identity !== undefined) {
        if (event.event === 'participant_joined') {
          await this.delayedLeave.participantJoined(room, identity);
          await this.membership?.monitor.participantJoined(room, identity);
        } else if (event.event === 'participant_left' || event.event === 'participant_connection_aborted') {
          // The leave is sent first: a failure to forget the watch (Redis) must not hold it back.
          await this.delayedLeave.participantLeft(
            room,
            identity,
            Number(event.participant?.disconnectReason) === CLIENT_INITIATED,
          );
          await this.membership?.monitor.participantLeft(room, identity);
        }
      }
    } catch (err) {
      this.logger.warn({ msg: 'webhook dropped', reason: err instanceof Error ? err.message : String(err) });
    }
    await reply.status(200).send();
  }
}
