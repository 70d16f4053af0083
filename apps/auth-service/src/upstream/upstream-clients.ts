import type { JsonWebKey } from 'node:crypto';
import * as oidc from 'openid-client';
import { upstreamJson, upstreamText } from '@gateway/http';
import { isJsonObject } from '@gateway/util';
import { assertionKeyFor, clientAssertion } from './client-assertion';
import type { UpstreamProviderConfig } from './upstream-config';

/** Deadline of one request to a provider (discovery, keys, token, userinfo), body included. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Discovery documents, key sets and token responses are small; anything bigger is refused. */
const MAX_BODY_BYTES = 512 * 1024;
/** How long a provider's key set is kept for logout tokens; an unknown `kid` fetches it again sooner. */
const KEYS_TTL_MS = 5 * 60_000;
const KEYS_REFETCH_MS = 30_000;

/**
 * openid-client's requests go through libs/http's one outbound client (a deadline covering the body, a
 * capped body, no redirects, errors without credentials), so a provider that stalls or floods cannot
 * hold a sign-in or the process. The text answer is handed back to openid-client as a Response.
 */
const outboundFetch: oidc.CustomFetch = async (url, options) => {
  const body = options.body;
  const answer = await upstreamText(url, {
    method: options.method,
    headers: options.headers,
    ...(body === undefined || body === null
      ? {}
      : { body: typeof body === 'string' ? body : bodyText(body) }),
    timeoutMs: REQUEST_TIMEOUT_MS,
    maxBodyBytes: MAX_BODY_BYTES,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const headers = new Headers(answer.headers);
  // The text is already decoded: the original encoding and length no longer describe it.
  headers.delete('content-encoding');
  headers.delete('content-length');
  const empty = answer.status === 204 || answer.status === 304;
  return new Response(empty ? null : answer.body, { status: answer.status, headers });
};

function bodyText(body: Exclude<oidc.FetchBody, string | null | undefined>): string {
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  throw new Error('streamed request bodies are not sent to upstream providers');
}

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  nonce: string;
  /** The PKCE verifier, or null when PKCE is not used with this provider. */
  codeVerifier: string | null;
}

export interface UpstreamIdentity {
  /** The ID token's claims, with userinfo's over them when fetched (their `sub` must agree). */
  claims: Record<string, unknown>;
}

/**
 * openid-client per configured provider: its metadata discovered on first use (`oidc`, strictly;
 * `insecure` also over plain http) or built from the configured endpoints (`disabled`), kept while it
 * works and discovered again after a failure.
 */
export class UpstreamClients {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();
  private readonly keySets = new Map<string, { at: number; issuer: string; keys: JsonWebKey[] }>();

  /** `signingKeys`: the service's private JWKs, for `private_key_jwt` (see `checkAssertionKeys`). */
  constructor(private readonly signingKeys: readonly JsonWebKey[] = []) {}

  /** Whether PKCE is used with this provider: always, never, or (auto) when it advertises S256. */
  async usesPkce(provider: UpstreamProviderConfig): Promise<boolean> {
    if (provider.pkce !== 'auto') return provider.pkce === 'always';
    return (await this.configuration(provider)).serverMetadata().supportsPKCE('S256');
  }

  async authorizationUrl(provider: UpstreamProviderConfig, request: AuthorizationRequest): Promise<URL> {
    const config = await this.configuration(provider);
    const params: Record<string, string> = {
      redirect_uri: request.redirectUri,
      scope: provider.scope,
      state: request.state,
      nonce: request.nonce,
      response_type: 'code',
    };
    if (provider.responseMode === 'form_post') params['response_mode'] = 'form_post';
    if (request.codeVerifier !== null) {
      params['code_challenge'] = await oidc.calculatePKCECodeChallenge(request.codeVerifier);
      params['code_challenge_method'] = 'S256';
    }
    return oidc.buildAuthorizationUrl(config, params);
  }

  /**
   * Exchanges the code of a callback (`callbackUrl` is the redirect URI with the response's query):
   * state, issuer, PKCE, the ID token's signature, audience, expiry and nonce are all checked by
   * openid-client; any failure throws.
   */
  async identity(
    provider: UpstreamProviderConfig,
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string | null },
  ): Promise<UpstreamIdentity> {
    const config = await this.configuration(provider);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
      ...(checks.codeVerifier === null ? {} : { pkceCodeVerifier: checks.codeVerifier }),
    });
    const idClaims = tokens.claims();
    if (idClaims === undefined) throw new Error('the provider returned no ID token');
    let claims: Record<string, unknown> = { ...idClaims };
    if (provider.fetchUserinfo) {
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...claims, ...userinfo };
    }
    return { claims };
  }

  /**
   * The provider's issuer and public keys (its `jwks_uri`, fetched through libs/http), for tokens the
   * provider sends us itself (back-channel logout). Kept five minutes; a `kid` not among them fetches
   * the set again, at most every 30 seconds (a key rotation, not a stranger's kid, is what that serves).
   */
  async providerKeys(
    provider: UpstreamProviderConfig,
    kid: string | null,
  ): Promise<{ issuer: string; keys: JsonWebKey[] }> {
    const now = Date.now();
    const cached = this.keySets.get(provider.id);
    const known = kid === null || cached?.keys.some((k) => k['kid'] === kid) === true;
    if (cached !== undefined && now - cached.at < KEYS_TTL_MS && (known || now - cached.at < KEYS_REFETCH_MS))
      return cached;
    const metadata = (await this.configuration(provider)).serverMetadata();
    if (metadata.jwks_uri === undefined) throw new Error('the provider publishes no jwks_uri');
    const answer = await upstreamJson(metadata.jwks_uri, {
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const keys = isJsonObject(answer.body) ? answer.body['keys'] : undefined;
    if (!answer.ok || !Array.isArray(keys))
      throw new Error(`${metadata.jwks_uri} answered ${answer.status} without keys`);
    const set = { at: now, issuer: metadata.issuer, keys: keys.filter(isJsonObject) as JsonWebKey[] };
    this.keySets.set(provider.id, set);
    return set;
  }

  private configuration(provider: UpstreamProviderConfig): Promise<oidc.Configuration> {
    let pending = this.configurations.get(provider.id);
    if (pending === undefined) {
      pending = this.create(provider);
      this.configurations.set(provider.id, pending);
      // A failed discovery is not kept: the next sign-in tries again.
      pending.catch(() => this.configurations.delete(provider.id));
    }
    return pending;
  }

  private async create(provider: UpstreamProviderConfig): Promise<oidc.Configuration> {
    const auth = clientAuth(provider, this.signingKeys);
    const metadata = { client_id: provider.clientId };
    const discovery = provider.discovery;
    let config: oidc.Configuration;
    if (discovery.mode === 'disabled') {
      config = new oidc.Configuration(
        {
          issuer: provider.issuer,
          authorization_endpoint: discovery.authorizationEndpoint,
          token_endpoint: discovery.tokenEndpoint,
          jwks_uri: discovery.jwksUri,
          ...(discovery.userinfoEndpoint === null ? {} : { userinfo_endpoint: discovery.userinfoEndpoint }),
        },
        provider.clientId,
        metadata,
        auth,
      );
      config[oidc.customFetch] = outboundFetch;
      // Endpoints the operator wrote down as http are taken as meant (a provider on a private network).
      const endpoints = [
        provider.issuer,
        discovery.authorizationEndpoint,
        discovery.tokenEndpoint,
        discovery.jwksUri,
      ];
      if (endpoints.some((e) => e.startsWith('http:')))
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- plain http, as the operator configured
        oidc.allowInsecureRequests(config);
    } else {
      config = await oidc.discovery(new URL(provider.issuer), provider.clientId, metadata, auth, {
        [oidc.customFetch]: outboundFetch,
        timeout: REQUEST_TIMEOUT_MS / 1000,
        // `insecure` (MAS's name): plain http allowed, for providers on a private network and tests.
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- chosen by discovery_mode
        ...(discovery.mode === 'insecure' ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
    }
    config.timeout = REQUEST_TIMEOUT_MS / 1000;
    return config;
  }
}

function clientAuth(provider: UpstreamProviderConfig, signingKeys: readonly JsonWebKey[]): oidc.ClientAuth {
  switch (provider.authMethod) {
    case 'none':
      return oidc.None();
    case 'client_secret_basic':
      return oidc.ClientSecretBasic(provider.clientSecret ?? '');
    case 'client_secret_post':
      return oidc.ClientSecretPost(provider.clientSecret ?? '');
    case 'client_secret_jwt':
      return clientAssertion(provider.clientId, provider.signingAlg ?? 'HS256', {
        secret: provider.clientSecret ?? '',
      });
    case 'private_key_jwt': {
      const alg = provider.signingAlg ?? 'RS256';
      const key = assertionKeyFor(alg, signingKeys);
      // checkAssertionKeys refused to start without one.
      if (key === undefined) throw new Error(`no ${alg} key in AUTH_SIGNING_KEY_FILE`);
      return clientAssertion(provider.clientId, alg, { key });
    }
    default: {
      const never: never = provider.authMethod;
      throw new Error(`unsupported client authentication ${String(never)}`);
    }
  }
}

/**
 * At start: every `private_key_jwt` provider has a key of its algorithm among the service's signing
 * keys, else the service stops naming the provider (a sign-in would otherwise fail at the token request).
 */
export function checkAssertionKeys(
  providers: readonly UpstreamProviderConfig[],
  signingKeys: readonly JsonWebKey[],
): void {
  for (const p of providers) {
    if (p.authMethod !== 'private_key_jwt' || p.signingAlg === null) continue;
    if (assertionKeyFor(p.signingAlg, signingKeys) === undefined)
      throw new Error(
        `AUTH_UPSTREAM_OAUTH2: provider ${p.id}: token_endpoint_auth_signing_alg ${p.signingAlg} needs a private key of that algorithm in AUTH_SIGNING_KEY_FILE (it has ${signingKeys.map((k) => (typeof k['alg'] === 'string' ? k['alg'] : String(k.kty))).join(', ')})`,
      );
  }
}
