import { upstreamJson } from '@gateway/http';
import { isJsonObject, stringField } from '@gateway/util';
import type { OAuthClientConfig } from '../config';
import { IS_JOINED_SCOPE } from '../membership/appservice-registration';
import { OAuthTokenError } from '../membership/oauth-token-source';
import type { ScopeBearer } from '../membership/scope-bearer';
import { describeTransport, type Finding } from './rtc-checks';

const TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 64 * 1024;

export interface ScopeFinding extends Finding {
  /** The bearer that was used, for checks that follow (`/rtc/transports`); null when none was obtained. */
  token: string | null;
}

/**
 * The membership scope works the way the service uses it: the bearer is obtained as the service
 * obtains it (the application service's token, or a `client_credentials` token that the token source
 * refuses unless it carries the Matrix API and `is_joined` scopes), then our homeserver is asked
 * `is_joined` with it. Shared by `/ready` (`membership-scope`) and `cli.js doctor` (`membership`).
 */
export async function checkMembershipScope(
  base: string,
  serverName: string,
  bearer: ScopeBearer,
  /** LIVEKIT_INSECURE_SKIP_VERIFY_TLS. */
  insecureSkipVerifyTls = false,
): Promise<ScopeFinding> {
  let token: string;
  if (bearer.kind === 'appservice') {
    token = bearer.asToken;
  } else {
    try {
      token = await bearer.source.token();
    } catch (err) {
      return { ok: false, text: tokenFailure(err, bearer.client), token: null };
    }
  }
  const fail = (text: string): ScopeFinding => ({ ok: false, text, token });
  // Any well-formed room id will do: the question is whether the homeserver answers it at all.
  const url = `${base}/_matrix/client/unstable/io.element.msc4502/rooms/${encodeURIComponent(`!doctor:${serverName}`)}/is_joined?server_name=${encodeURIComponent(serverName)}`;
  let res;
  try {
    res = await upstreamJson(url, {
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      secrets: [token],
      insecureSkipVerifyTls,
    });
  } catch (err) {
    return fail(`${base} is unreachable (${describeTransport(err)})`);
  }
  const errcode = isJsonObject(res.body) ? stringField(res.body, 'errcode') : undefined;
  const oauth = bearer.kind === 'oauth' ? bearer : null;
  if (res.ok) {
    return {
      ok: true,
      text:
        oauth === null
          ? `${serverName} answers is_joined to our application service`
          : `${serverName} answers is_joined to the auth service's client ${oauth.client.clientId}`,
      token,
    };
  }
  if (res.status === 401) {
    // A token the homeserver refuses is dropped, so the service's next check asks for a new one.
    oauth?.source.invalidate(token);
    return fail(
      oauth === null
        ? `${serverName} does not know our as_token (${errcode ?? '401'}): add the registration to Synapse's app_service_config_files and restart it`
        : `${serverName} does not accept the auth service's token (${errcode ?? '401'}): Synapse's matrix_authentication_service.endpoint must be the auth service of LIVEKIT_OAUTH_TOKEN_URL`,
    );
  }
  if (res.status === 403) {
    return fail(
      oauth === null
        ? `${serverName} refused is_joined: the registration lacks the scope ${IS_JOINED_SCOPE} (io.element.msc4502.scopes)`
        : `${serverName} refused is_joined to the auth service's token: it lacks the scope ${IS_JOINED_SCOPE} (the client must be in the auth service's AUTH_MEMBERSHIP_CLIENTS)`,
    );
  }
  if (res.status === 404 || errcode === 'M_UNRECOGNIZED') {
    return fail(
      `${serverName} does not serve MSC4502 is_joined: set experimental_features.msc4502_enabled: true (Synapse ≥ 1.160)`,
    );
  }
  return fail(`is_joined answered ${String(res.status)} ${errcode ?? ''}`.trimEnd());
}

/** Why no usable `client_credentials` token came from the auth service, and what to change. */
function tokenFailure(err: unknown, client: OAuthClientConfig): string {
  const prefix = `the auth service (${client.tokenUrl})`;
  if (!(err instanceof OAuthTokenError)) return `${prefix} failed: ${String(err)}`;
  switch (err.reason) {
    case 'unreachable':
      return `${prefix} is unreachable: check LIVEKIT_OAUTH_TOKEN_URL`;
    case 'scope':
      return `${prefix} did not grant the Matrix API and is_joined scopes to client ${client.clientId}: add it to the auth service's AUTH_MEMBERSHIP_CLIENTS`;
    case 'bad-answer':
      return `${prefix} answered without an access token: LIVEKIT_OAUTH_TOKEN_URL must be its token endpoint (…/oauth2/token)`;
    case 'refused':
      if (err.oauthError === 'invalid_client') {
        return `${prefix} refused client ${client.clientId} (invalid_client): LIVEKIT_OAUTH_CLIENT_ID/LIVEKIT_OAUTH_CLIENT_SECRET must be one of its AUTH_MEMBERSHIP_CLIENTS`;
      }
      if (err.oauthError === 'server_error') {
        return `${prefix} could not provision its membership service user in the homeserver (server_error): see its log (AUTH_MEMBERSHIP_USER)`;
      }
      return `${prefix} refused the client_credentials grant (${String(err.status)} ${err.oauthError ?? ''})`.trimEnd();
  }
}
