import { upstreamJson, UpstreamError } from '@gateway/http';
import { isJsonObject, stringField, systemClock } from '@gateway/util';
import type { OAuthClientConfig } from '../config';
import { IS_JOINED_SCOPE } from '../membership/appservice-registration';
import { OAuthTokenError, OAuthTokenSource } from '../membership/oauth-token-source';
import type { DoctorFinding } from './doctor';

const TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The membership scope held through the auth service (LIVEKIT_OAUTH_*): a `client_credentials` token is
 * obtained as the service obtains it, then our homeserver is asked `is_joined` with it. Returns the token
 * too, for the checks that follow, or null when there is none.
 */
export async function checkOAuthMembershipScope(
  base: string,
  serverName: string,
  client: OAuthClientConfig,
): Promise<{ finding: DoctorFinding; token: string | null }> {
  let token: string;
  try {
    token = await new OAuthTokenSource(client, systemClock).token();
  } catch (err) {
    return { finding: { ok: false, text: tokenFailure(err, client) }, token: null };
  }
  const url = `${base}/_matrix/client/unstable/io.element.msc4502/rooms/${encodeURIComponent(`!doctor:${serverName}`)}/is_joined?server_name=${encodeURIComponent(serverName)}`;
  try {
    const res = await upstreamJson(url, {
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      secrets: [token],
    });
    const errcode = isJsonObject(res.body) ? stringField(res.body, 'errcode') : undefined;
    const fail = (text: string) => ({ finding: { ok: false, text: `membership: ${text}` }, token });
    if (res.ok) {
      return {
        finding: {
          ok: true,
          text: `membership: ${serverName} answers is_joined to the auth service's client ${client.clientId}`,
        },
        token,
      };
    }
    if (res.status === 401) {
      return fail(
        `${serverName} does not accept the auth service's token (${errcode ?? '401'}): Synapse's matrix_authentication_service.endpoint must be the auth service of LIVEKIT_OAUTH_TOKEN_URL`,
      );
    }
    if (res.status === 403) {
      return fail(
        `${serverName} refused is_joined to the auth service's token: it lacks the scope ${IS_JOINED_SCOPE} (the client must be in the auth service's AUTH_MEMBERSHIP_CLIENTS)`,
      );
    }
    if (res.status === 404 || errcode === 'M_UNRECOGNIZED') {
      return fail(
        `${serverName} does not serve MSC4502 is_joined: set experimental_features.msc4502_enabled: true (Synapse ≥ 1.160)`,
      );
    }
    return fail(`is_joined answered ${String(res.status)} ${errcode ?? ''}`.trimEnd());
  } catch (err) {
    const kind = err instanceof UpstreamError ? err.kind : 'error';
    return { finding: { ok: false, text: `membership: ${base} is unreachable (${kind})` }, token };
  }
}

function tokenFailure(err: unknown, client: OAuthClientConfig): string {
  const prefix = `membership: the auth service (${client.tokenUrl})`;
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
