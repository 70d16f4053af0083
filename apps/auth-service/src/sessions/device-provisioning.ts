import type { AuthStore } from '@gateway/auth-data';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { clientAddressOf } from '../client-address';
import { deviceScopeOf } from '../scopes/matrix-scopes';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';

const SESSION_GRANTS = new Set(['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code']);
export interface TokenResponseBody {
  access_token?: string;
  refresh_token?: string;
  scope?: string;
}

/**
 * Runs after oidc-provider has answered a token request. Synapse refuses tokens for users and devices it
 * does not know, so before the client gets its tokens the user is provisioned and the device upserted;
 * if Synapse cannot do that, the tokens are withdrawn and the request fails instead of handing out
 * tokens that would not work. The grant's session is recorded so ending it can delete the device.
 */
export class DeviceProvisioning {
  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly onError: (err: unknown) => void,
  ) {}

  middleware() {
    return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
      await next();
      // ctx.oidc is absent on paths oidc-provider does not route (its 404s), whatever the typings say.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
      // Only grants that start a session; a refresh must not bring back a device deleted meanwhile.
      if (!SESSION_GRANTS.has(String(ctx.oidc.params?.['grant_type']))) {
        await this.touch(ctx);
        return;
      }
      const body = ctx.body as TokenResponseBody;
      const accountId = (ctx.oidc.entities.Account as { accountId?: string } | undefined)?.accountId;
      if (accountId === undefined || body.access_token === undefined) return; // client_credentials
      try {
        await this.provision(ctx, accountId, body);
      } catch (err) {
        this.onError(err);
        await this.withdraw(ctx, body);
        ctx.status = 500;
        ctx.body = {
          error: 'server_error',
          error_description: 'The homeserver could not register this session; try again.',
        };
        return;
      }
      await this.touch(ctx);
    };
  }

  /**
   * The session's "last active" on the account page: when it last got tokens, and from where. Never
   * fails the token response: the tokens are valid whether or not this is recorded.
   */
  private async touch(ctx: KoaContextWithOIDC): Promise<void> {
    const grantId = (ctx.oidc.entities.Grant as { jti?: string } | undefined)?.jti;
    if (grantId === undefined) return;
    try {
      await this.store.sessions.touch(grantId, clientAddressOf(ctx.req));
    } catch (err) {
      this.onError(err);
    }
  }

  private async provision(
    ctx: KoaContextWithOIDC,
    accountId: string,
    body: TokenResponseBody,
  ): Promise<void> {
    const user = await this.store.users.findById(accountId);
    if (!user) throw new Error('token issued for an unknown account');
    await this.synapse.provisionUser({ localpart: user.localpart });
    const deviceId = (body.scope ?? '')
      .split(' ')
      .map((s) => deviceScopeOf(s)?.id)
      .find((d) => d !== undefined);
    if (deviceId === undefined) return;
    const client = ctx.oidc.client;
    await this.synapse.upsertDevice(user.localpart, deviceId, client?.clientName ?? client?.clientId);
    const grantId = (ctx.oidc.entities.Grant as { jti?: string } | undefined)?.jti;
    if (grantId !== undefined && client !== undefined) {
      await this.store.sessions.start({ grantId, userId: user.id, clientId: client.clientId, deviceId });
    }
  }

  private async withdraw(ctx: KoaContextWithOIDC, body: TokenResponseBody): Promise<void> {
    const { AccessToken, RefreshToken } = ctx.oidc.provider;
    if (body.access_token !== undefined) await (await AccessToken.find(body.access_token))?.destroy();
    if (body.refresh_token !== undefined) await (await RefreshToken.find(body.refresh_token))?.destroy();
  }
}
