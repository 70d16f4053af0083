import { ServerError } from 'livekit-server-sdk';

/**
 * Why a LiveKit RoomService call failed, as far as an operator can act on it. "Unable to create room on
 * SFU" alone was the most reported lk-jwt-service failure: the same text for a stopped SFU, a key typo
 * and a full node.
 */
export type LiveKitFailureCause = 'unreachable' | 'key-refused' | 'exhausted' | 'other';

export interface LiveKitFailure {
  cause: LiveKitFailureCause;
  /** What is wrong and what to fix, without secrets; safe to show to clients and in `/ready`. */
  text: string;
}

/**
 * Twirp answers carry a status and a code (livekit/livekit `pkg/service/errors.go`): a key LiveKit does
 * not know or a bad signature is 401 `unauthenticated`; a token without the needed grant is 403
 * `permission_denied` (our own signing, so also a key problem); room, participant or node limits are
 * `resource_exhausted` (429) or an `unavailable` 503 from a node that takes no more rooms. No answer at
 * all (refused, DNS, timeout) means the SFU cannot be reached.
 */
export function classifyLiveKitFailure(err: unknown): LiveKitFailure {
  if (err instanceof ServerError) {
    const code = err.code ?? '';
    const answer = code === '' ? String(err.status) : `${String(err.status)} ${code}`;
    if (
      err.status === 401 ||
      code === 'unauthenticated' ||
      err.status === 403 ||
      code === 'permission_denied'
    ) {
      return {
        cause: 'key-refused',
        text: `the SFU refused the service's API key (${answer}): LIVEKIT_KEY/LIVEKIT_SECRET must be one of LiveKit's keys`,
      };
    }
    if (err.status === 429 || code === 'resource_exhausted' || err.status === 503 || code === 'unavailable') {
      return {
        cause: 'exhausted',
        text: `the SFU is out of capacity (${answer}): raise LiveKit's room and participant limits or add nodes`,
      };
    }
    return {
      cause: 'other',
      text: `the SFU answered ${answer}: see the LiveKit server log`,
    };
  }
  return {
    cause: 'unreachable',
    text: `the SFU is unreachable (${transportReason(err)}): check LIVEKIT_URL and that LiveKit is running`,
  };
}

/** ECONNREFUSED, ENOTFOUND, "timed out", …: never a URL or a token. */
function transportReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  // fetch's TypeError "fetch failed" carries the reason in its cause.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return 'no answer';
}
