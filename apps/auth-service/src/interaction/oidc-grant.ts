import type Provider from 'oidc-provider';
import { isMatrixScope } from '../oidc/matrix-resource';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * Records approved scopes on oidc-provider's grant for this interaction (creating it on first
 * approval): OIDC scopes on the grant itself, Matrix scopes on each resource the request is missing
 * scopes for (there is one, the homeserver; see oidc/matrix-resource.ts). Returns the grant id.
 */
export async function saveGrant(
  provider: Provider,
  details: Details,
  accountId: string,
  clientId: string,
  scopes: readonly string[],
): Promise<string> {
  const grant = details.grantId !== undefined ? await provider.Grant.find(details.grantId) : undefined;
  const target = grant ?? new provider.Grant({ accountId, clientId });
  const oidcScopes = scopes.filter((s) => !isMatrixScope(s));
  if (oidcScopes.length > 0) target.addOIDCScope(oidcScopes.join(' '));
  const matrixScopes = scopes.filter(isMatrixScope);
  for (const resource of Object.keys(
    (details.prompt.details['missingResourceScopes'] as Record<string, string[]> | undefined) ?? {},
  )) {
    target.addResourceScope(resource, matrixScopes.join(' '));
  }
  return target.save();
}
