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
import { AUTH_CONFIG, AUTH_STORE, CLOCK, USER_CACHE } from '../tokens';
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
