import { MatrixError } from '@gateway/matrix';
import { AccessToken } from 'livekit-server-sdk';

/**
 * Mints the LiveKit access token every successful token request returns. The payload is kept minimal
 * (`iss`, `sub`, `nbf`, `exp`, `video`) on purpose: Element Call decodes it with `atob`, which throws on
 * base64url's `-`/`_`, and free-text claims such as `name` or `metadata` are what would introduce them.
 */

export interface LiveKitCredentials {
  apiKey: string;
  apiSecret: string;
}

export interface LiveKitGrantRequest {
  /** The participant identity (`sub`), see identity.ts. */
  identity: string;
  /** The LiveKit room name, see room-alias.ts. */
  room: string;
  /** Upstream grants it to everyone; see full-access.ts for the opt-in MSC4195 behaviour. */
  canPublish?: boolean;
  /** Upstream grants it since lk-jwt-service#202; MSC4195 says it should be false. */
  canUpdateOwnMetadata?: boolean;
}

/** The token lifetime lk-jwt-service uses; the SDK's own default would be six hours. */
export const TOKEN_TTL_SECONDS = 3600;

const SIGNING_FAILED = 'Internal Server Error';

/**
 * Signs an HS256 LiveKit JWT: `iss` = API key, `sub` = identity, `nbf` = now, `exp` = now + 3600 s, and
 * a video grant to join, publish, subscribe and update its own metadata in exactly one room. `roomCreate`
 * is never granted (it would also allow DeleteRoom); rooms are created explicitly for full-access users.
 *
 * @throws MatrixError 500 M_UNKNOWN "Internal Server Error" when signing fails (e.g. an empty key).
 */
export async function mintLiveKitToken(
  credentials: LiveKitCredentials,
  grant: LiveKitGrantRequest,
): Promise<string> {
  // The SDK silently falls back to LIVEKIT_API_KEY / LIVEKIT_API_SECRET from the environment when given
  // empty strings; configuration must come from our parsed config only, so refuse here instead.
  if (credentials.apiKey === '' || credentials.apiSecret === '' || grant.identity === '') {
    throw new MatrixError('M_UNKNOWN', SIGNING_FAILED);
  }
  try {
    const token = new AccessToken(credentials.apiKey, credentials.apiSecret, {
      identity: grant.identity,
      ttl: TOKEN_TTL_SECONDS,
    });
    token.addGrant({
      room: grant.room,
      roomJoin: true,
      canPublish: grant.canPublish ?? true,
      canSubscribe: true,
      canUpdateOwnMetadata: grant.canUpdateOwnMetadata ?? true,
    });
    return await token.toJwt();
  } catch (error) {
    throw new MatrixError('M_UNKNOWN', SIGNING_FAILED, { cause: error });
  }
}
