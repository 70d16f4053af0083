import { describe, expect, it } from 'vitest';
import { OAuthError } from './oauth-error';

describe(OAuthError.name, () => {
  it('takes its status from the error code', () => {
    expect(new OAuthError('invalid_scope', 'x').status).toBe(400);
    expect(new OAuthError('invalid_client', 'x').status).toBe(401);
    expect(new OAuthError('access_denied', 'x').status).toBe(401);
  });

  it('lets the status be overridden', () => {
    expect(new OAuthError('invalid_request', 'x', 413).status).toBe(413);
  });

  it('renders the OAuth error body', () => {
    expect(new OAuthError('invalid_redirect_uri', 'redirect_uris is required').toBody()).toEqual({
      error: 'invalid_redirect_uri',
      error_description: 'redirect_uris is required',
    });
  });

  it('is an Error whose message names the code and the description', () => {
    const error = new OAuthError('invalid_client_metadata', 'client_uri is required');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OAuthError');
    expect(error.message).toBe('invalid_client_metadata: client_uri is required');
  });
});
