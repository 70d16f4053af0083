import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { MatrixError } from '@gateway/matrix';
import { systemClock, type Clock } from '@gateway/util';

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

/** `{"alg":"HS256"}`, the SDK's header (no `typ`), encoded once. */
const HEADER = Buffer.from('{"alg":"HS256"}', 'utf8').toString('base64url');

/**
 * Signs HS256 LiveKit JWTs: `iss` = API key, `sub` = identity, `nbf` = now, `exp` = now + 3600 s, and a
 * video grant to join, publish, subscribe and update its own metadata in exactly one room. `roomCreate`
 * is never granted (it would also allow DeleteRoom); rooms are created explicitly for full-access users.
 *
 * The bytes are those `AccessToken.toJwt()` of livekit-server-sdk produces (same header, same claim
 * order; token-minter.spec.ts compares them), signed here with one HMAC key built at start: the SDK
 * re-encodes the secret, builds a key object and goes through jose's async checks on every token,
 * which was the largest cost of a warm `/get_token` after the framework's own (bench/README.md).
 */
export class LiveKitTokenMinter {
  private readonly key: KeyObject | null;

  constructor(
    private readonly credentials: LiveKitCredentials,
    private readonly clock: Clock = systemClock,
  ) {
    this.key =
      credentials.apiSecret === '' ? null : createSecretKey(Buffer.from(credentials.apiSecret, 'utf8'));
  }

  /** @throws MatrixError 500 M_UNKNOWN "Internal Server Error" for an empty key, secret or identity. */
  mint(grant: LiveKitGrantRequest): string {
    if (this.key === null || this.credentials.apiKey === '' || grant.identity === '') {
      throw new MatrixError('M_UNKNOWN', SIGNING_FAILED);
    }
    const now = Math.floor(this.clock() / 1000);
    const payload = JSON.stringify({
      video: {
        room: grant.room,
        roomJoin: true,
        canPublish: grant.canPublish ?? true,
        canSubscribe: true,
        canUpdateOwnMetadata: grant.canUpdateOwnMetadata ?? true,
      },
      iss: this.credentials.apiKey,
      exp: now + TOKEN_TTL_SECONDS,
      nbf: now,
      sub: grant.identity,
    });
    const signingInput = `${HEADER}.${Buffer.from(payload, 'utf8').toString('base64url')}`;
    return `${signingInput}.${createHmac('sha256', this.key).update(signingInput).digest('base64url')}`;
  }
}

/**
 * One token with a one-off minter, for callers that mint rarely (the token endpoints keep a
 * LiveKitTokenMinter). Never reads LIVEKIT_API_KEY / LIVEKIT_API_SECRET from the environment, as the SDK
 * would when given empty strings: configuration comes from our parsed config only.
 *
 * @throws MatrixError 500 M_UNKNOWN "Internal Server Error" when signing fails (e.g. an empty key).
 */
export function mintLiveKitToken(
  credentials: LiveKitCredentials,
  grant: LiveKitGrantRequest,
): Promise<string> {
  try {
    return Promise.resolve(new LiveKitTokenMinter(credentials).mint(grant));
  } catch (error) {
    return Promise.reject(
      error instanceof MatrixError ? error : new MatrixError('M_UNKNOWN', SIGNING_FAILED, { cause: error }),
    );
  }
}
