import type { AuthStore } from '@gateway/auth-data';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { hashToken } from '../token-format/token-format';

/**
 * After a successful refresh, the session's earlier access tokens stop working at once: a client that
 * refreshed holds the new one, and an old one that leaked must not outlive it (MAS does the same when
 * the new refresh token is first used). oidc-provider itself lets them run to expiry.
 */
export function retireAccessTokensOnRefresh(store: AuthStore) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    // ctx.oidc is absent on paths oidc-provider does not route, whatever the typings say.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    if (ctx.oidc.params?.['grant_type'] !== 'refresh_token') return;
    const accessToken = (ctx.body as { access_token?: unknown } | undefined)?.access_token;
    const grantId = (ctx.oidc.entities.Grant as { jti?: string } | undefined)?.jti;
    if (typeof accessToken !== 'string' || grantId === undefined) return;
    await store.payloads.destroyByGrantIdExcept('AccessToken', grantId, hashToken(accessToken));
  };
}
