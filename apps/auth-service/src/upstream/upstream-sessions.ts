import type { Redis } from 'ioredis';
import {
  booleanField,
  isJsonObject,
  nonEmptyStringField,
  objectField,
  stringField,
  type JsonObject,
} from '@gateway/util';

/** How long an upstream authorization, and then its link page, may take. */
export const UPSTREAM_TTL_SECONDS = 600;

/** What the upstream sign-in was started for. */
export type UpstreamAction =
  /** The sign-in page's button: oidc-provider's interaction to finish. */
  | { kind: 'login'; uid: string }
  /** The account page's "Link": the signed-in user to link the upstream account to. */
  | { kind: 'link'; userId: string }
  /** The legacy SSO page's button (`/complete-compat-sso/{id}`): the compat SSO login to complete. */
  | { kind: 'compat-sso'; compatLoginId: string };

/** An authorization sent to a provider and not yet answered, keyed by its `state`. */
export interface PendingAuthorization {
  providerId: string;
  nonce: string;
  codeVerifier: string | null;
  /** The browser it was started in (the value of its binding cookie). */
  binding: string;
  action: UpstreamAction;
}

/** What the provider's claims give, per `claims_imports` (templates rendered at the callback). */
export interface ImportedClaims {
  localpart: string | null;
  displayName: string | null;
  email: string | null;
  emailVerified: boolean;
  accountName: string | null;
}

/**
 * A finished upstream authorization for a sign-in page, keyed by a random id (the `link_id` of
 * `/upstream/link/{link_id}`): the subject and its imports, then the account it signs in as once the
 * link page (or an existing link) decided it. Exactly one of `uid` (the OIDC sign-in page's
 * interaction) and `compatLoginId` (the legacy SSO page's login) is set: what the sign-in finishes.
 */
export interface UpstreamSession {
  providerId: string;
  subject: string;
  /**
   * The ID token's `sub` and `sid` as sent (`subject` is the `claims_imports` template's): what a
   * back-channel logout token names. Absent in sessions stored before they were kept.
   */
  idToken?: { sub: string; sid: string | null };
  uid: string | null;
  compatLoginId: string | null;
  binding: string;
  claims: ImportedClaims;
  /** Set when decided: the account to sign in as. */
  userId: string | null;
}

/**
 * Both in Redis under the service's key prefix with a ten-minute TTL, shared by the replicas; nothing
 * of them reaches Postgres. A pending authorization is taken once (GETDEL), so a callback is answered
 * once; a session is read by its page and taken by the step that signs in.
 */
export class UpstreamSessions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async putAuthorization(state: string, pending: PendingAuthorization): Promise<void> {
    await this.redis.set(
      this.key('authorization', state),
      JSON.stringify(pending),
      'EX',
      UPSTREAM_TTL_SECONDS,
    );
  }

  async takeAuthorization(state: string): Promise<PendingAuthorization | null> {
    return readPending(await this.redis.getdel(this.key('authorization', state)));
  }

  async putSession(id: string, session: UpstreamSession): Promise<void> {
    await this.redis.set(this.key('session', id), JSON.stringify(session), 'EX', UPSTREAM_TTL_SECONDS);
  }

  /** Replaces a session while it exists, keeping its expiry; false when it is gone. */
  async updateSession(id: string, session: UpstreamSession): Promise<boolean> {
    const done = await this.redis.set(this.key('session', id), JSON.stringify(session), 'KEEPTTL', 'XX');
    return done === 'OK';
  }

  async getSession(id: string): Promise<UpstreamSession | null> {
    return readSession(await this.redis.get(this.key('session', id)));
  }

  async takeSession(id: string): Promise<UpstreamSession | null> {
    return readSession(await this.redis.getdel(this.key('session', id)));
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}:upstream-${kind}:${id}`;
  }
}

/** A record read back from Redis, through the JSON guards; null when absent or not of this shape. */
function parsed(raw: string | null): JsonObject | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

function readAction(obj: JsonObject | undefined): UpstreamAction | null {
  if (obj === undefined) return null;
  const kind = stringField(obj, 'kind');
  const uid = nonEmptyStringField(obj, 'uid');
  const userId = nonEmptyStringField(obj, 'userId');
  const compatLoginId = nonEmptyStringField(obj, 'compatLoginId');
  if (kind === 'login' && uid !== undefined) return { kind, uid };
  if (kind === 'link' && userId !== undefined) return { kind, userId };
  if (kind === 'compat-sso' && compatLoginId !== undefined) return { kind, compatLoginId };
  return null;
}

function readPending(raw: string | null): PendingAuthorization | null {
  const obj = parsed(raw);
  if (obj === null) return null;
  const providerId = nonEmptyStringField(obj, 'providerId');
  const nonce = nonEmptyStringField(obj, 'nonce');
  const binding = nonEmptyStringField(obj, 'binding');
  const verifier = obj['codeVerifier'];
  const action = readAction(objectField(obj, 'action'));
  if (providerId === undefined || nonce === undefined || binding === undefined || action === null)
    return null;
  if (verifier !== null && typeof verifier !== 'string') return null;
  return { providerId, nonce, binding, codeVerifier: verifier, action };
}

function readSession(raw: string | null): UpstreamSession | null {
  const obj = parsed(raw);
  const claims = obj === null ? undefined : objectField(obj, 'claims');
  if (obj === null || claims === undefined) return null;
  const providerId = nonEmptyStringField(obj, 'providerId');
  const subject = nonEmptyStringField(obj, 'subject');
  const uid = nonEmptyStringField(obj, 'uid') ?? null;
  const compatLoginId = nonEmptyStringField(obj, 'compatLoginId') ?? null;
  const binding = nonEmptyStringField(obj, 'binding');
  if (providerId === undefined || subject === undefined || binding === undefined) return null;
  if ((uid === null) === (compatLoginId === null)) return null;
  const text = (key: string): string | null => stringField(claims, key) ?? null;
  const idToken = objectField(obj, 'idToken');
  const sub = idToken === undefined ? undefined : nonEmptyStringField(idToken, 'sub');
  return {
    providerId,
    subject,
    ...(idToken === undefined || sub === undefined
      ? {}
      : { idToken: { sub, sid: nonEmptyStringField(idToken, 'sid') ?? null } }),
    uid,
    compatLoginId,
    binding,
    userId: stringField(obj, 'userId') ?? null,
    claims: {
      localpart: text('localpart'),
      displayName: text('displayName'),
      email: text('email'),
      emailVerified: booleanField(claims, 'emailVerified') === true,
      accountName: text('accountName'),
    },
  };
}
