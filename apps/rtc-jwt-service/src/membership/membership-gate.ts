import { MatrixError } from '@gateway/matrix';
import { MembershipUnknownError } from './is-joined-client';
import type { MembershipChecker } from './membership-checker';

export const NOT_JOINED = 'User is not joined to the room';
const UNAVAILABLE = 'Unable to check room membership';

/**
 * The token endpoints' membership rules (MSC4195 with MSC4502 `is_joined` on our homeserver).
 * Our homeserver sees a room's current state whenever one of its users is in the room, so it answers
 * for remote users too; for a room it is not in, every answer is "not joined".
 */
export class MembershipGate {
  constructor(
    private readonly checker: Pick<MembershipChecker, 'isJoined'>,
    /** LIVEKIT_FULL_ACCESS_HOMESERVERS; `*` matches no server by name, so it never answers yes here. */
    private readonly fullAccessServers: readonly string[],
  ) {}

  /** 403 M_FORBIDDEN for a non-member, as lk-jwt-service 0.7; 502 when the homeserver cannot say. */
  async requireJoined(roomId: string, userId: string): Promise<void> {
    if (!(await this.ask(roomId, { mxid: userId }))) throw new MatrixError('M_FORBIDDEN', NOT_JOINED);
  }

  /**
   * Whether a user of a full-access homeserver is joined to the room, so a restricted (remote) requester
   * may have the SFU room created: the call is one a trusted server takes part in.
   */
  async hasFullAccessMember(roomId: string): Promise<boolean> {
    for (const serverName of this.fullAccessServers) {
      if (serverName === '*') continue;
      if (await this.ask(roomId, { serverName })) return true;
    }
    return false;
  }

  private async ask(roomId: string, subject: { mxid: string } | { serverName: string }): Promise<boolean> {
    try {
      return await this.checker.isJoined(roomId, subject);
    } catch (err) {
      if (err instanceof MembershipUnknownError)
        throw new MatrixError('M_UNKNOWN', UNAVAILABLE, { status: 502, cause: err });
      throw err;
    }
  }
}
