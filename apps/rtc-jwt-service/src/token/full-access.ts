import { MatrixError } from '@gateway/matrix';

/**
 * Who may create LiveKit rooms and delegate delayed leaves. A "full-access" user is one whose OpenID
 * token was vouched for by a homeserver listed in `LIVEKIT_FULL_ACCESS_HOMESERVERS`; everyone else
 * ("restricted", typically remote federated users) still gets a token, but can only join rooms a
 * full-access user has already created (the SFU must run with `room.auto_create: false`).
 */

/** The endpoint asking, because a refused delegation is a 400 on the token endpoints but a 403 on its own. */
export type RtcEndpoint = 'get_token' | 'sfu_get' | 'delegate_delayed_leave';

export const DELEGATION_REFUSED = 'Delegation of delayed events is only supported for full access users';

/**
 * Splits the variable the way lk-jwt-service does: commas become spaces, then split on whitespace.
 */
export function parseFullAccessHomeservers(raw: string): string[] {
  return raw
    .replaceAll(',', ' ')
    .split(/\s+/)
    .filter((name) => name !== '');
}

export class FullAccessPolicy {
  private readonly everyone: boolean;
  private readonly names: ReadonlySet<string>;

  /**
   * `*` is a wildcard only when it is the whole list: upstream treats `*,a.com` as two literal names.
   * Matching is exact (no suffix or case folding): the name is the `matrix_server_name` whose userinfo
   * answer was checked, so `matrix.example.com` is not `example.com`.
   */
  constructor(homeservers: readonly string[]) {
    this.everyone = homeservers.length === 1 && homeservers[0] === '*';
    this.names = new Set(homeservers);
  }

  isFullAccess(serverName: string): boolean {
    return this.everyone || this.names.has(serverName);
  }
}

export interface GrantPlan {
  /** Call LiveKit CreateRoom before answering (full access only; upstream does it on every request). */
  createRoom: boolean;
  /** Start a delayed-leave job for the request's delay parameters. */
  delegateDelayedLeave: boolean;
  canPublish: boolean;
}

export interface GrantPlanOptions {
  /**
   * Whether restricted users may publish. Upstream grants everyone `canPublish` (Element Call's legacy
   * mode publishes on the oldest member's, possibly remote, SFU); MSC4195 says remote users should not.
   */
  restrictedCanPublish?: boolean;
}

/**
 * Decides what a verified user gets. Restricted users never create rooms, and asking them to delegate a
 * delayed leave is refused with 400 M_BAD_JSON on the token endpoints (Element Call retries `/sfu/get`
 * without the delay parameters on exactly that answer) and 403 M_FORBIDDEN on `/delegate_delayed_leave`.
 */
export function planGrant(
  endpoint: RtcEndpoint,
  fullAccess: boolean,
  hasDelay: boolean,
  options: GrantPlanOptions = {},
): GrantPlan {
  const delegates = endpoint === 'delegate_delayed_leave' || hasDelay;
  if (!fullAccess && delegates) {
    throw endpoint === 'delegate_delayed_leave'
      ? new MatrixError('M_FORBIDDEN', DELEGATION_REFUSED)
      : new MatrixError('M_BAD_JSON', DELEGATION_REFUSED);
  }
  return {
    // /delegate_delayed_leave mints nothing and assumes the room exists already.
    createRoom: fullAccess && endpoint !== 'delegate_delayed_leave',
    delegateDelayedLeave: delegates,
    canPublish: fullAccess || (options.restrictedCanPublish ?? true),
  };
}
