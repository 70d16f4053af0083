import { OAuthError } from '../../src/oauth-error';

/**
 * The OAuthError `run` throws; fails the test if it throws anything else or nothing. Only imported by
 * specs.
 */
export function oauthErrorOf(run: () => unknown): OAuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected an OAuthError, but nothing was thrown');
}
