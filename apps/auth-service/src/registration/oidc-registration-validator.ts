import type { errors } from 'oidc-provider';
import { OAuthError } from '../oauth-error';
import { validateClientRegistration } from './client-registration';

/**
 * MSC2966's client metadata rules for dynamic registration (client_uri required, redirect URIs on the
 * client's own host or reverse-DNS scheme, https everywhere but loopback). oidc-provider calls this for
 * every registration; its own RFC 7591 checks run as well.
 */
export function validateRegistration(
  metadata: Record<string, unknown>,
  oidcErrors: Pick<typeof errors, 'InvalidClientMetadata' | 'InvalidRedirectUri'>,
): void {
  try {
    validateClientRegistration(metadata);
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    throw err.error === 'invalid_redirect_uri'
      ? new oidcErrors.InvalidRedirectUri(err.description)
      : new oidcErrors.InvalidClientMetadata(err.description);
  }
}
