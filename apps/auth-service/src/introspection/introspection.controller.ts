import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { AuthConfig } from '../config';
import { introspectionResponse, parseIntrospectionRequest, type IntrospectedToken } from './introspection';
import type { RequestHeaders } from './introspection-request';
import { compatSessionGrant, parseScope } from '../scopes/matrix-scopes';
import { OAuthError } from '../oauth-error';
import { hashToken, parseToken } from '../token-format/token-format';
import { AUTH_CONFIG, AUTH_STORE, CLOCK, MEMBERSHIP_CLIENTS, USER_CACHE } from '../tokens';
import type { MembershipClients } from '../membership-clients/membership-clients';
import type { UserCache } from './user-cache';
import { isUsableUser } from '../accounts/usable-user';

/** The fields of oidc-provider's stored AccessToken payload this endpoint reads. */
interface StoredAccessToken {
  accountId?: string;
  clientId?: string;
  scope?: string;
  iat?: number;
  exp?: number;
}

/** oidc-provider's client_credentials token values (43 base64url characters); nothing else is looked up. */
const CLIENT_CREDENTIALS_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

/**
 * `POST /oauth2/introspect` as Synapse calls it: `Authorization: Bearer <shared secret>` and a form with
 * `token`. (Clients introspecting with their own credentials are answered by oidc-provider.) Anything
 * that is not a live access token of a live user is `{"active":false}` with 200, as RFC 7662 wants.
 */
@Controller()
export class IntrospectionController {
  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(USER_CACHE) private readonly users: UserCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MEMBERSHIP_CLIENTS) private readonly membershipClients: MembershipClients,
  ) {}

  @Post('oauth2/introspect')
  @HttpCode(200)
  async introspect(
    @Headers() headers: RequestHeaders,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object> {
    void reply.header('Cache-Control', 'no-store');
    try {
      const request = parseIntrospectionRequest(
        headers,
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {},
        this.config.synapseSecret,
      );
      if (request.caller.kind !== 'homeserver')
        throw new OAuthError('invalid_client', 'use the homeserver secret or client credentials');
      return introspectionResponse(await this.lookup(request.token), {
        now: new Date(this.clock()),
        supportsDeviceId: request.supportsDeviceId,
        tokenTypeHint: request.tokenTypeHint,
      });
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      void reply.status(err.status);
      if (err.status === 401) void reply.header('WWW-Authenticate', 'Bearer');
      return err.toBody();
    }
  }

  private async lookup(value: string): Promise<IntrospectedToken | null> {
    // The checksum rejects garbage and other token kinds before any lookup.
    const parsed = parseToken(value);
    // Compat tokens include those imported from Synapse (`syt_`, macaroons), found by their hash alike.
    if (parsed?.valid === true && parsed.kind === 'compat_access_token') {
      return this.lookupCompat(value);
    }
    if (parsed === null && this.membershipClients.enabled) return this.lookupMembershipClient(value);
    if (parsed?.valid !== true || parsed.kind !== 'access_token') return null;
    // Read straight from the store: the row is the token (revocation deletes it), and going through
    // oidc-provider's model layer cost a third of the throughput in bench/auth.
    const token = (await this.store.payloads.find('AccessToken', hashToken(value))) as
      StoredAccessToken | undefined;
    if (token?.accountId === undefined || token.exp === undefined || token.iat === undefined) return null;
    if (token.exp * 1000 <= this.clock()) return null;
    const user = await this.users.byId(token.accountId);
    if (!isUsableUser(user)) return null;
    let grant;
    try {
      grant = parseScope(token.scope ?? '');
    } catch {
      return null;
    }
    return {
      session: 'oauth',
      tokenType: 'access_token',
      userLocalpart: user.localpart,
      userSub: user.id,
      clientId: token.clientId ?? null,
      grant,
      issuedAt: new Date(token.iat * 1000),
      expiresAt: new Date(token.exp * 1000),
    };
  }

  /**
   * The third branch, only with AUTH_MEMBERSHIP_CLIENTS: a `client_credentials` token (oidc-provider's
   * own format) of a membership client, answered as the service user with no device. Any other
   * client's client_credentials token stays inactive, as it has no user.
   */
  private async lookupMembershipClient(value: string): Promise<IntrospectedToken | null> {
    if (!CLIENT_CREDENTIALS_SHAPE.test(value)) return null;
    const token = (await this.store.payloads.find('ClientCredentials', hashToken(value))) as
      StoredAccessToken | undefined;
    if (token === undefined || !this.membershipClients.has(token.clientId)) return null;
    if (token.exp === undefined || token.iat === undefined || token.exp * 1000 <= this.clock()) return null;
    let grant;
    try {
      grant = parseScope(token.scope ?? '');
    } catch {
      return null;
    }
    return {
      session: 'oauth',
      tokenType: 'access_token',
      userLocalpart: this.membershipClients.username,
      userSub: null,
      clientId: token.clientId ?? null,
      grant,
      issuedAt: new Date(token.iat * 1000),
      expiresAt: new Date(token.exp * 1000),
    };
  }

  /**
   * The second branch: a token of the legacy login layer (compat/), answered with its session's device
   * (in `device_id` when Synapse sends X-MAS-Supports-Device-Id) and `client_id: "legacy"`.
   */
  private async lookupCompat(value: string): Promise<IntrospectedToken | null> {
    const token = await this.store.compat.findAccessToken(hashToken(value));
    if (!token) return null;
    const user = await this.users.byId(token.session.userId);
    if (!isUsableUser(user)) return null;
    return {
      session: 'compat',
      tokenType: 'access_token',
      userLocalpart: user.localpart,
      userSub: user.id,
      clientId: null,
      grant: compatSessionGrant(token.session.deviceId, false),
      issuedAt: token.createdAt,
      expiresAt: token.expiresAt,
    };
  }
}
