import type { JsonWebKey } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { AuthStore } from '@gateway/auth-data';
import { isJsonObject, type Clock } from '@gateway/util';
import type { AuditLog } from '../audit/audit-log';
import type { SessionEnd } from '../sessions/session-end';
import { isAsymmetricAlg, verifyJws } from './jws';
import type { UpstreamClients } from './upstream-clients';
import type { UpstreamProviderConfig } from './upstream-config';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Clock skew allowed on `exp` and `iat`, as for ID tokens (openid-client's default tolerance). */
const LEEWAY_SECONDS = 30;
/** A logout token is a few hundred bytes; anything much bigger is not one. */
const MAX_TOKEN_LENGTH = 16 * 1024;

/** What the endpoint answers: 200 with nothing, or an OAuth error (MAS's statuses and codes). */
export type BackchannelAnswer =
  { status: 200 } | { status: 400 | 404; body: { error: 'invalid_request'; error_description: string } };

const refused = (description: string): BackchannelAnswer => ({
  status: 400,
  body: { error: 'invalid_request', error_description: description },
});

/**
 * OpenID Connect Back-Channel Logout 1.0 from an upstream provider
 * (https://openid.net/specs/openid-connect-backchannel-1_0.html), as MAS's
 * `/upstream/backchannel-logout/{provider_id}`: the logout token is validated (§2.6: signature with the
 * provider's keys, `iss`, `aud`, `iat`, `exp`, `sub` and/or `sid`, the back-channel event, no `nonce`),
 * then the provider's `on_backchannel_logout` decides what ends: nothing (`do_nothing`, MAS's default),
 * the browser sessions the matching sign-ins made (`logout_browser_only`), or those and every OAuth
 * session authorized from them (`logout_all`; their devices are deleted in Synapse).
 */
export class BackchannelLogout {
  private readonly log = new Logger('upstream');

  constructor(
    private readonly store: AuthStore,
    private readonly clients: UpstreamClients,
    private readonly sessionEnd: SessionEnd,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async handle(
    provider: UpstreamProviderConfig | null,
    logoutToken: string | undefined,
  ): Promise<BackchannelAnswer> {
    if (provider === null)
      return {
        status: 404,
        body: {
          error: 'invalid_request',
          error_description: 'Upstream OAuth provider not found, is the backchannel logout URI right?',
        },
      };
    if (logoutToken === undefined || logoutToken === '') return refused('logout_token is missing');
    const claims = await this.verified(provider, logoutToken);
    if (typeof claims === 'string') {
      this.log.warn({ msg: 'back-channel logout token refused', provider: provider.id, reason: claims });
      return refused(claims);
    }
    const sub = typeof claims['sub'] === 'string' ? claims['sub'] : null;
    const sid = typeof claims['sid'] === 'string' ? claims['sid'] : null;
    const signedIn = await this.store.upstream.signedInSessions(provider.id, { sub, sid });
    const mode = provider.onBackchannelLogout;
    if (mode === 'do_nothing') {
      this.log.warn({
        msg: 'back-channel logout received; the provider is configured to do nothing (on_backchannel_logout)',
        provider: provider.id,
        sessions: signedIn.length,
      });
      return { status: 200 };
    }
    const browser = await this.store.payloads.findKeysByUid(
      'Session',
      signedIn.map((s) => s.browserSessionUid),
    );
    let oauth = 0;
    for (const { key, payload } of browser) {
      if (mode === 'logout_all') oauth += await this.endAuthorizedSessions(payload, provider.id);
      await this.store.payloads.destroy('Session', key);
      const accountId = typeof payload['accountId'] === 'string' ? payload['accountId'] : null;
      await this.note(accountId, null, { kind: 'browser', provider: provider.id });
    }
    this.log.log({
      msg: 'back-channel logout',
      provider: provider.id,
      mode,
      browserSessions: browser.length,
      oauthSessions: oauth,
    });
    return { status: 200 };
  }

  /** Ends the OAuth sessions whose grants the browser session authorized; how many it ended. */
  private async endAuthorizedSessions(payload: Record<string, unknown>, providerId: string): Promise<number> {
    const authorizations = payload['authorizations'];
    if (!isJsonObject(authorizations)) return 0;
    let ended = 0;
    for (const authorization of Object.values(authorizations)) {
      const grantId = isJsonObject(authorization) ? authorization['grantId'] : undefined;
      if (typeof grantId !== 'string') continue;
      await this.store.payloads.revokeByGrantId(grantId);
      const session = await this.sessionEnd.grantRevoked(grantId);
      if (session === null) continue;
      ended++;
      await this.note(session.userId, grantId, { kind: 'oauth', provider: providerId });
    }
    return ended;
  }

  private note(
    userId: string | null,
    subject: string | null,
    details: Record<string, string>,
  ): Promise<void> {
    return this.audit.note({
      type: 'session.ended',
      outcome: 'succeeded',
      // The provider asked: no person of ours acted.
      actor: { kind: 'anonymous' },
      subject: subject ?? userId,
      origin: { ip: null, userAgent: null },
      details: { ...details, via: 'backchannel-logout' },
    });
  }

  /** The logout token's claims, or why it is refused. */
  private async verified(
    provider: UpstreamProviderConfig,
    token: string,
  ): Promise<Record<string, unknown> | string> {
    if (token.length > MAX_TOKEN_LENGTH) return 'logout_token is too long';
    const parts = token.split('.');
    if (parts.length !== 3) return 'logout_token is not a signed JWT';
    const [headerPart = '', claimsPart = '', signaturePart = ''] = parts;
    const header = decodeJson(headerPart);
    const claims = decodeJson(claimsPart);
    if (header === null || claims === null) return 'logout_token is not a signed JWT';
    const alg = header['alg'];
    if (typeof alg !== 'string' || !isAsymmetricAlg(alg))
      return `logout_token's alg ${String(alg)} is not accepted`;
    let keys: { issuer: string; keys: JsonWebKey[] };
    try {
      keys = await this.clients.providerKeys(
        provider,
        typeof header['kid'] === 'string' ? header['kid'] : null,
      );
    } catch (err) {
      this.log.warn({
        msg: "the provider's keys could not be fetched",
        provider: provider.id,
        reason: err instanceof Error ? err.message : String(err),
      });
      return "the provider's keys could not be fetched";
    }
    const data = Buffer.from(`${headerPart}.${claimsPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    const kid = header['kid'];
    const candidates = keys.keys.filter(
      (k) => (typeof kid !== 'string' || k['kid'] === kid) && (k['use'] === undefined || k['use'] === 'sig'),
    );
    if (!candidates.some((k) => verifyJws(alg, k, data, signature)))
      return 'logout_token signature does not verify with the provider’s keys';
    const now = Math.floor(this.clock() / 1000);
    if (claims['iss'] !== keys.issuer) return 'logout_token iss is not the provider';
    const aud = claims['aud'];
    if (!(aud === provider.clientId || (Array.isArray(aud) && aud.includes(provider.clientId))))
      return 'logout_token aud is not our client';
    const exp = claims['exp'];
    if (typeof exp !== 'number' || exp + LEEWAY_SECONDS < now) return 'logout_token has expired';
    const iat = claims['iat'];
    if (typeof iat !== 'number' || iat - LEEWAY_SECONDS > now)
      return 'logout_token iat is missing or in the future';
    if (typeof claims['sub'] !== 'string' && typeof claims['sid'] !== 'string')
      return 'logout token has neither a sub nor a sid claim';
    const events = claims['events'];
    if (!isJsonObject(events) || !isJsonObject(events[BACKCHANNEL_EVENT]))
      return 'logout_token has no back-channel logout event';
    if ('nonce' in claims) return 'logout_token must not carry a nonce';
    return claims;
  }
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}
