import { API_SCOPES, IS_JOINED_SCOPE } from '../scopes/matrix-scopes';

/**
 * The clients of AUTH_MEMBERSHIP_CLIENTS: confidential clients whose `client_credentials` tokens act as
 * one service user (AUTH_MEMBERSHIP_USER) so that Synapse answers them MSC4502 `is_joined`.
 *
 * Synapse 1.160 (synapse/api/auth/mas.py, synapse/rest/client/room_membership.py) accepts a delegated
 * token only when its introspection is active, carries the Matrix API scope and names an existing user
 * (`username`); `is_joined` then wants `urn:matrix:client:io.element.msc4502:rooms:is_joined` among the
 * token's scopes. A device scope would make Synapse look the device up, and `urn:synapse:admin:*` would
 * make the token an admin's: neither is ever granted here. Every other client keeps MAS's rule (no
 * Matrix API without a person), see scopes/scope-policy.ts.
 */
export class MembershipClients {
  private readonly ids: ReadonlySet<string>;

  constructor(
    clients: readonly { id: string }[],
    /** The service user's localpart. */
    readonly username: string,
  ) {
    this.ids = new Set(clients.map((c) => c.id));
  }

  /** Whether any membership client is configured (introspection skips its lookup otherwise). */
  get enabled(): boolean {
    return this.ids.size > 0;
  }

  has(clientId: string | undefined): boolean {
    return clientId !== undefined && this.ids.has(clientId);
  }

  /**
   * The scopes a membership client's `client_credentials` token carries, out of `requested`: the Matrix
   * API scope (either form) and `is_joined`, nothing else. Others are left out of the token, as
   * oidc-provider does for any scope its resource server lacks.
   */
  scopesFor(requested: readonly string[]): string[] {
    return requested.filter((s) => MEMBERSHIP_SCOPES.has(s));
  }
}

const MEMBERSHIP_SCOPES: ReadonlySet<string> = new Set([
  API_SCOPES.stable,
  API_SCOPES.unstable,
  IS_JOINED_SCOPE,
]);
