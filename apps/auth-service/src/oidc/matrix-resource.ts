import { API_SCOPES, deviceScopeOf, MAS_ADMIN_SCOPE, SYNAPSE_ADMIN_SCOPE } from '../scopes/matrix-scopes';

/**
 * Matrix scopes are not OIDC scopes: oidc-provider only puts non-OIDC scopes in an access token through a
 * "resource server". Every Matrix token is for one resource, the homeserver's client-server API; what it
 * may carry is what the request asked for among the Matrix scope patterns (device scopes are dynamic, so
 * the allowed list is computed per request). The policy itself (one device, admins only for admin scope)
 * is enforced when the grant is made, in the interaction.
 */
export const MATRIX_RESOURCE = 'urn:matrix:client';

const API = new Set<string>(Object.values(API_SCOPES));

/**
 * The scopes that belong on a Matrix access token (the API, a device, Synapse administration, and this
 * service's own admin API, which is answered for the same token).
 */
export function isMatrixScope(scope: string): boolean {
  return (
    API.has(scope) ||
    deviceScopeOf(scope) !== null ||
    scope === SYNAPSE_ADMIN_SCOPE ||
    scope === MAS_ADMIN_SCOPE
  );
}

interface ScopeCarrier {
  scope?: unknown;
}

/** The scopes in play for this request: its `scope` parameter, or those of the code, refresh token or device code it redeems. */
export function requestedScopes(
  oidc: { params?: { scope?: unknown }; entities?: Record<string, unknown> } | undefined,
): string[] {
  const sources: unknown[] = [oidc?.params?.scope];
  for (const name of ['AuthorizationCode', 'RefreshToken', 'DeviceCode']) {
    const entity = oidc?.entities?.[name] as ScopeCarrier | undefined;
    if (entity) sources.push(entity.scope);
  }
  const scopes = new Set<string>();
  for (const source of sources)
    if (typeof source === 'string') for (const s of source.split(' ')) if (s !== '') scopes.add(s);
  return [...scopes];
}

export function matrixScopesOf(scopes: Iterable<string>): string[] {
  return [...scopes].filter(isMatrixScope);
}
