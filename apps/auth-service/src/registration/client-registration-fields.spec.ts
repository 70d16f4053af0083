import { describe, expect, it } from 'vitest';
import { validateClientRegistration, type ClientRegistrationOptions } from './client-registration';
import type { OAuthError } from '../oauth-error';
import { oauthErrorOf } from '../../test/support/oauth-error-of';
import { JS_SDK_43 } from '../../test/support/client-registrations';

const WEB = { client_uri: 'https://client.example.org/', redirect_uris: ['https://client.example.org/cb'] };

function rejection(body: unknown, options?: ClientRegistrationOptions): OAuthError {
  return oauthErrorOf(() => validateClientRegistration(body, options));
}

describe(`${validateClientRegistration.name}: grants, client authentication and other fields`, () => {
  describe('grant and response types', () => {
    it('silently drops the device_code grant when the device flow is disabled', () => {
      expect(validateClientRegistration(JS_SDK_43, { deviceCodeGrantEnabled: false }).grant_types).toEqual([
        'authorization_code',
        'refresh_token',
      ]);
    });

    it.each([
      'password',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ])('refuses the %s grant', (grant) => {
      expect(rejection({ ...WEB, grant_types: ['authorization_code', grant] }).error).toBe(
        'invalid_client_metadata',
      );
    });

    it.each([['token'], ['code token'], ['code id_token token'], ['none'], ['']])(
      'refuses the response type %j',
      (type) => {
        expect(rejection({ ...WEB, response_types: [type] }).error).toBe('invalid_client_metadata');
      },
    );

    it('needs authorization_code for code, and code for authorization_code', () => {
      expect(rejection({ ...WEB, grant_types: ['refresh_token'], response_types: ['code'] }).error).toBe(
        'invalid_client_metadata',
      );
      expect(rejection({ ...WEB, response_types: [] }).error).toBe('invalid_client_metadata');
    });

    it('needs the implicit grant for id_token, and normalises the order of combined types', () => {
      expect(rejection({ ...WEB, response_types: ['code id_token'] }).description).toBe(
        'response_types: id_token requires the implicit grant',
      );
      const metadata = validateClientRegistration({
        ...WEB,
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['id_token code', 'code'],
      });
      expect(metadata.response_types).toEqual(['code id_token', 'code']);
    });
  });

  describe('client authentication', () => {
    it('refuses client_credentials for a public client', () => {
      const body = {
        client_uri: 'https://bot.example/',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'none',
      };
      expect(rejection(body).description).toBe('the client_credentials grant requires client authentication');
    });

    it('refuses unknown methods', () => {
      expect(rejection({ ...WEB, token_endpoint_auth_method: 'tls_client_auth' }).error).toBe(
        'invalid_client_metadata',
      );
    });

    it('requires keys for private_key_jwt, from jwks or jwks_uri but not both', () => {
      const jwt = { ...WEB, token_endpoint_auth_method: 'private_key_jwt' };
      expect(rejection(jwt).description).toBe('private_key_jwt requires jwks or jwks_uri');
      expect(validateClientRegistration({ ...jwt, jwks: { keys: [] } }).jwks).toEqual({ keys: [] });
      expect(validateClientRegistration({ ...jwt, jwks_uri: 'https://keys.example/jwks' }).jwks_uri).toBe(
        'https://keys.example/jwks',
      );
      expect(rejection({ ...jwt, jwks: { keys: [] }, jwks_uri: 'https://keys.example/jwks' }).error).toBe(
        'invalid_client_metadata',
      );
      expect(rejection({ ...jwt, jwks: { key: [] } }).error).toBe('invalid_client_metadata');
    });

    it('matches the signing algorithm to the JWT method', () => {
      const secretJwt = { ...WEB, token_endpoint_auth_method: 'client_secret_jwt' };
      expect(
        validateClientRegistration({ ...secretJwt, token_endpoint_auth_signing_alg: 'HS256' })
          .token_endpoint_auth_signing_alg,
      ).toBe('HS256');
      expect(rejection({ ...secretJwt, token_endpoint_auth_signing_alg: 'RS256' }).error).toBe(
        'invalid_client_metadata',
      );
      const keyJwt = { ...WEB, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } };
      expect(rejection({ ...keyJwt, token_endpoint_auth_signing_alg: 'HS256' }).error).toBe(
        'invalid_client_metadata',
      );
    });

    it('refuses unsigned ID tokens and userinfo', () => {
      expect(rejection({ ...WEB, id_token_signed_response_alg: 'none' }).error).toBe(
        'invalid_client_metadata',
      );
      expect(rejection({ ...WEB, userinfo_signed_response_alg: 'none' }).error).toBe(
        'invalid_client_metadata',
      );
      expect(
        validateClientRegistration({ ...WEB, userinfo_signed_response_alg: 'ES256' })
          .userinfo_signed_response_alg,
      ).toBe('ES256');
    });
  });

  describe('localised fields', () => {
    it('collects client_name#fr and friends by language tag', () => {
      const metadata = validateClientRegistration({
        ...WEB,
        client_name: 'Chat',
        'client_name#fr': 'Discussion',
        'client_name#ja-Jpan-JP': 'チャット',
        'tos_uri#fr': 'https://client.example.org/fr/cgu',
      });
      expect(metadata.client_name).toBe('Chat');
      expect(metadata.localized).toEqual({
        fr: { client_name: 'Discussion', tos_uri: 'https://client.example.org/fr/cgu' },
        'ja-Jpan-JP': { client_name: 'チャット' },
      });
    });

    it('holds localised URIs to the same host rules', () => {
      expect(rejection({ ...WEB, 'logo_uri#de': 'https://cdn.example.net/logo.png' }).error).toBe(
        'invalid_client_metadata',
      );
    });

    it('refuses a malformed language tag', () => {
      expect(rejection({ ...WEB, 'client_name#': 'x' }).error).toBe('invalid_client_metadata');
      expect(rejection({ ...WEB, 'client_name#fr_FR': 'x' }).error).toBe('invalid_client_metadata');
    });

    it('ignores # on fields that cannot be localised, and tags named like prototype members', () => {
      expect(validateClientRegistration({ ...WEB, 'contacts#fr': 1 }).localized).toEqual({});
      expect(validateClientRegistration({ ...WEB, 'client_name#toString': 'x' }).localized).toEqual({
        toString: { client_name: 'x' },
      });
    });
  });

  it.each([null, [], 'x', 1])('refuses the body %j, which is not a JSON object', (body) => {
    expect(rejection(body).description).toBe('the registration request must be a JSON object');
  });

  it('refuses wrongly typed fields', () => {
    expect(rejection({ ...WEB, client_name: 5 }).description).toBe('client_name must be a string');
    expect(rejection({ ...WEB, contacts: 'a@b' }).description).toBe('contacts must be an array of strings');
    expect(rejection({ ...WEB, application_type: 'desktop' }).description).toBe(
      'application_type must be one of web, native',
    );
  });

  it('ignores fields it does not know', () => {
    expect(
      validateClientRegistration({ ...WEB, software_id: 'x', post_logout_redirect_uris: ['x'] }),
    ).not.toHaveProperty('software_id');
  });
});
