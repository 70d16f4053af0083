import type { AuthStore } from '@gateway/auth-data';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import type { MembershipClients } from './membership-clients';

/**
 * Runs after oidc-provider has answered a token request. A membership client's `client_credentials`
 * token names the service user to Synapse, which refuses users it does not know (synapse/api/auth/mas.py),
 * so the user is provisioned (`/_synapse/mas/provision_user`, idempotent) before the token leaves. If an
 * account of that name exists here, the name belongs to a person and the token would act as them: the
 * token is withdrawn, as it is when Synapse cannot provision the user.
 */
export class MembershipProvisioning {
  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly clients: MembershipClients,
    private readonly onError: (err: unknown) => void,
  ) {}

  middleware() {
    return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
      await next();
      // ctx.oidc is absent on paths oidc-provider does not route (its 404s), whatever the typings say.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
      if (ctx.oidc.params?.['grant_type'] !== 'client_credentials') return;
      if (!this.clients.has(ctx.oidc.client?.clientId)) return;
      const token = (ctx.body as { access_token?: unknown }).access_token;
      if (typeof token !== 'string') return;
      try {
        await this.provision();
      } catch (err) {
        this.onError(err);
        await (await ctx.oidc.provider.ClientCredentials.find(token))?.destroy();
        ctx.status = 500;
        ctx.body = {
          error: 'server_error',
          error_description:
            'The homeserver could not provision the membership service user; see the auth service log.',
        };
      }
    };
  }

  private async provision(): Promise<void> {
    const username = this.clients.username;
    if (await this.store.users.findByLocalpart(username)) {
      throw new Error(
        `an account named ${username} exists: AUTH_MEMBERSHIP_USER must name a user nobody signs in as`,
      );
    }
    await this.synapse.provisionUser({ localpart: username });
  }
}
