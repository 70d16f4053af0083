import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { AuthConfig } from '../config';
import { introspectionResponse, parseIntrospectionRequest, type IntrospectedToken } from './introspection';
import { SharedSecret } from './introspection-request';
import { compatSessionGrant, parseScope } from '../scopes/matrix-scopes';
import { OAuthError } from '../oauth-error';
import { hashToken, parseToken } from '../token-format/token-format';
import { OIDC_ROUTES } from '../oidc/provider.factory';
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

/** A form body is a few hundred bytes; the service's general body limit (app-options.ts) applies here too. */
const BODY_LIMIT_BYTES = 64 * 1024;

/** RFC 7662 §2.1: the request is a form; the media type may carry parameters (`; charset=UTF-8`). */
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** An OAuth error as an HTTP answer. */
interface Answer {
  status: number;
  body: object;
}

/** A personal session's last use is written at most this often, for this many sessions at once. */
const USE_INTERVAL_MS = 60_000;
const MAX_TRACKED_SESSIONS = 10_000;

/**
 * `POST /oauth2/introspect` as Synapse calls it: `Authorization: Bearer <shared secret>` and a form with
 * `token`. (Clients introspecting with their own credentials are handed to oidc-provider by OidcMount
 * before this route.) Anything that is not a live access token of a live user is `{"active":false}`
 * with 200, as RFC 7662 wants.
 *
 * Every request Synapse has not cached waits on this endpoint, so it is a plain Fastify route answered in
 * its own `onRequest` hook: the form body is read and parsed here, before Fastify's body pipeline (content
 * type parser, validation, Nest's router), which cost about a quarter of the throughput in bench/auth.
 * Only a form body is read; JSON or a repeated parameter is `invalid_request`, as RFC 6749 §3.1 wants.
 */
@Injectable()
export class IntrospectionRoute implements OnModuleInit {
  private readonly logger = new Logger('Introspection');
  private readonly sharedSecret: SharedSecret;
  /** Personal session id → when this replica last recorded its use (see `recordUse`). */
  private readonly personalUse = new Map<string, number>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(USER_CACHE) private readonly users: UserCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MEMBERSHIP_CLIENTS) private readonly membershipClients: MembershipClients,
  ) {
    this.sharedSecret = new SharedSecret(config.synapseSecret);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: 'POST',
      url: OIDC_ROUTES.introspection,
      onRequest: (request, reply) => {
        this.answer(request).then(
          ({ status, body }) => {
            void reply.code(status).header('Cache-Control', 'no-store');
            if (status === 401) void reply.header('WWW-Authenticate', 'Bearer');
            void reply.send(body);
          },
          // Fastify's error handler (the app's exception filter) logs it and answers 500.
          (err: unknown) => void reply.send(err),
        );
      },
      // Never reached: the onRequest hook above always answers.
      handler: () => {
        throw new Error('introspection is answered in onRequest');
      },
    });
  }

  private async answer(request: FastifyRequest): Promise<Answer> {
    try {
      const body = await readForm(request.raw, request.headers['content-type']);
      const parsed = parseIntrospectionRequest(request.headers, body, this.sharedSecret);
      if (parsed.caller.kind !== 'homeserver')
        throw new OAuthError('invalid_client', 'use the homeserver secret or client credentials');
      const body200 = introspectionResponse(await this.lookup(parsed.token), {
        now: new Date(this.clock()),
        supportsDeviceId: parsed.supportsDeviceId,
        tokenTypeHint: parsed.tokenTypeHint,
      });
      return { status: 200, body: body200 };
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return { status: err.status, body: err.toBody() };
    }
  }

  private async lookup(value: string): Promise<IntrospectedToken | null> {
    // The checksum rejects garbage and other token kinds before any lookup.
    const parsed = parseToken(value);
    // Compat tokens include those imported from Synapse (`syt_`, macaroons), found by their hash alike.
    if (parsed?.valid === true && parsed.kind === 'compat_access_token') {
      return this.lookupCompat(value);
    }
    if (parsed?.valid === true && parsed.kind === 'personal_access_token') return this.lookupPersonal(value);
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
   * Personal access tokens (`mpt_`): MAS's personal-session shape, acting as the token's user with its
   * fixed scope (its device in the scope), `client_id` only when an admin client made it. The row is the
   * token: revocation and regeneration delete it.
   */
  private async lookupPersonal(value: string): Promise<IntrospectedToken | null> {
    const token = await this.store.personal.findToken(hashToken(value));
    if (!token) return null;
    const user = await this.users.byId(token.session.actorUserId);
    if (!isUsableUser(user)) return null;
    let grant;
    try {
      grant = parseScope(token.session.scope);
    } catch {
      return null;
    }
    this.recordUse(token.session.id);
    return {
      session: 'personal',
      tokenType: 'access_token',
      userLocalpart: user.localpart,
      userSub: user.id,
      clientId: token.session.ownerClientId,
      grant,
      issuedAt: token.createdAt,
      expiresAt: token.expiresAt,
    };
  }

  /**
   * A personal token is never refreshed, so the homeserver asking about it is the only sign of use: the
   * session's `last_active_at`. Off the answer's path, and at most one write a minute per session on
   * each replica (the repository also skips a write within a minute of the last one, across replicas).
   */
  private recordUse(sessionId: string): void {
    const now = this.clock();
    const last = this.personalUse.get(sessionId);
    if (last !== undefined && now - last < USE_INTERVAL_MS) return;
    if (this.personalUse.size >= MAX_TRACKED_SESSIONS) this.personalUse.clear();
    this.personalUse.set(sessionId, now);
    this.store.personal.touch(sessionId, new Date(now)).catch((err: unknown) => {
      this.logger.warn({
        msg: 'could not record the use of a personal session',
        session: sessionId,
        reason: err instanceof Error ? err.message : String(err),
      });
    });
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

/**
 * The request body as text, read straight from the socket. Anything but a form is `invalid_request`
 * (without reading it); an over-long body is refused as soon as it passes the limit.
 */
function readForm(raw: IncomingMessage, contentType: string | undefined): Promise<string> {
  const declared = Number(raw.headers['content-length'] ?? 0);
  const empty = raw.headers['transfer-encoding'] === undefined && declared === 0;
  if (!empty && (contentType === undefined || !FORM_TYPE.test(contentType))) {
    return Promise.reject(
      new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded'),
    );
  }
  if (declared > BODY_LIMIT_BYTES) return Promise.reject(tooLarge());
  if (empty) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    raw.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > BODY_LIMIT_BYTES) {
        raw.removeAllListeners('data');
        raw.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    raw.on('end', () => {
      resolve(Buffer.concat(chunks, length).toString('utf8'));
    });
    raw.on('error', () => {
      reject(new OAuthError('invalid_request', 'the request body could not be read'));
    });
  });
}

const tooLarge = () => new OAuthError('invalid_request', 'the request body is too large', 413);
