import { describe, expect, it } from 'vitest';
import { validateClientRegistration, type ClientRegistrationOptions } from './client-registration';
import type { OAuthError } from '../oauth-error';
import { oauthErrorOf } from '../../test/support/oauth-error-of';
import {
  ELEMENT_WEB,
  ELEMENT_X_IOS,
  LOOPBACK_CLI,
  REAL_WORLD_REGISTRATIONS,
} from '../../test/support/client-registrations';

const WEB = { client_uri: 'https://client.example.org/', redirect_uris: ['https://client.example.org/cb'] };

function rejection(body: unknown, options?: ClientRegistrationOptions): OAuthError {
  return oauthErrorOf(() => validateClientRegistration(body, options));
}
const NATIVE = {
  client_uri: 'https://example.org',
  application_type: 'native',
  redirect_uris: ['org.example.app:/cb'],
};

describe(validateClientRegistration.name, () => {
  it('refuses metadata with U+0000 anywhere (stored as jsonb, which cannot hold it; was a 500)', () => {
    for (const body of [
      { ...ELEMENT_X_IOS, client_name: 'Element\0X' },
      { ...ELEMENT_X_IOS, redirect_uris: ['io.element.elementx:/callback\0'] },
      { ...ELEMENT_X_IOS, 'client_name#fr\0': 'x' },
    ])
      expect(oauthErrorOf(() => validateClientRegistration(body)).error).toBe('invalid_client_metadata');
  });

  describe('real-world registrations', () => {
    it.each(Object.entries(REAL_WORLD_REGISTRATIONS))('accepts %s', (_name, body) => {
      expect(() => validateClientRegistration(body)).not.toThrow();
    });

    it('normalises Element X iOS to the metadata to store', () => {
      expect(validateClientRegistration(ELEMENT_X_IOS)).toEqual({
        application_type: 'native',
        client_name: 'Element X',
        client_uri: 'https://element.io',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        id_token_signed_response_alg: 'RS256',
        localized: {},
        logo_uri: 'https://element.io/mobile-icon.png',
        policy_uri: 'https://element.io/privacy',
        redirect_uris: ['io.element.elementx:/callback'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        tos_uri: 'https://element.io/acceptable-use-policy-terms',
      });
    });

    it('keeps Element Web’s contacts and logo', () => {
      expect(validateClientRegistration(ELEMENT_WEB)).toMatchObject({
        contacts: ['support@element.io'],
        logo_uri: 'https://app.element.io/vector-icons/1024.png',
      });
    });

    it('refuses a page URI on the parent domain, which is why js-sdk leaves such URIs out', () => {
      const body = { ...ELEMENT_WEB, tos_uri: 'https://element.io/terms' };
      expect(rejection(body)).toMatchObject({
        error: 'invalid_client_metadata',
        description: expect.stringMatching(/^tos_uri /),
      });
    });
  });

  describe('defaults (RFC 7591 §2, OIDC Registration §2)', () => {
    it('fills in web, authorization_code, code, client_secret_basic and RS256', () => {
      expect(validateClientRegistration(WEB)).toEqual({
        application_type: 'web',
        client_uri: 'https://client.example.org/',
        redirect_uris: ['https://client.example.org/cb'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
        localized: {},
      });
    });

    it('reads null as absent', () => {
      expect(
        validateClientRegistration({ ...WEB, client_name: null, grant_types: null }).grant_types,
      ).toEqual(['authorization_code']);
    });

    it('deduplicates redirect URIs and grant types', () => {
      const metadata = validateClientRegistration({
        ...WEB,
        redirect_uris: ['https://client.example.org/cb', 'https://client.example.org/cb'],
        grant_types: ['authorization_code', 'authorization_code'],
      });
      expect(metadata.redirect_uris).toHaveLength(1);
      expect(metadata.grant_types).toEqual(['authorization_code']);
    });
  });

  describe('client_uri', () => {
    it('is required', () => {
      expect(rejection({ redirect_uris: ['https://a.example/cb'] })).toMatchObject({
        error: 'invalid_client_metadata',
        description: 'client_uri is required',
        status: 400,
      });
    });

    it('may be missing with allowMissingClientUri, and then hosts are not compared', () => {
      const metadata = validateClientRegistration(
        { redirect_uris: ['https://a.example/cb'] },
        { allowMissingClientUri: true },
      );
      expect(metadata.client_uri).toBeUndefined();
    });

    it.each([
      ['http', 'http://client.example.org/'],
      ['a relative URI', '/client'],
      ['credentials', 'https://user:pw@client.example.org/'],
      ['a public suffix', 'https://github.io/'],
      ['a top-level domain', 'https://com/'],
      ['a non-string', 42],
      ['an empty string', ''],
    ])('refuses %s', (_what, clientUri) => {
      expect(rejection({ ...WEB, client_uri: clientUri }).error).toBe('invalid_client_metadata');
    });

    it('may be http with allowInsecureUris (local development)', () => {
      const body = { client_uri: 'http://localhost:8080/', redirect_uris: ['http://localhost:8080/cb'] };
      expect(validateClientRegistration(body, { allowInsecureUris: true }).client_uri).toBe(
        'http://localhost:8080/',
      );
    });

    it('uses the injected public-suffix lookup', () => {
      const isPublicSuffix = (host: string) => host === 'client.example.org';
      expect(rejection(WEB, { isPublicSuffix }).description).toBe('client_uri must not be a public suffix');
    });
  });

  describe('redirect_uris', () => {
    it('is required for the authorization_code grant, as invalid_redirect_uri', () => {
      expect(rejection({ client_uri: 'https://a.example/' })).toMatchObject({
        error: 'invalid_redirect_uri',
      });
      expect(rejection({ client_uri: 'https://a.example/', redirect_uris: [] }).error).toBe(
        'invalid_redirect_uri',
      );
    });

    it('must be an array of strings', () => {
      expect(rejection({ ...WEB, redirect_uris: 'https://client.example.org/cb' }).error).toBe(
        'invalid_client_metadata',
      );
      expect(rejection({ ...WEB, redirect_uris: [1] }).error).toBe('invalid_client_metadata');
    });

    it('follows the web rules for web clients and the native rules for native clients', () => {
      expect(rejection({ ...WEB, redirect_uris: ['org.example.client:/cb'] }).error).toBe(
        'invalid_redirect_uri',
      );
      expect(rejection({ ...NATIVE, redirect_uris: ['https://example.org/cb'] }).error).toBe(
        'invalid_redirect_uri',
      );
      expect(validateClientRegistration(LOOPBACK_CLI).redirect_uris).toHaveLength(3);
    });

    it('names the offending redirect URI by index', () => {
      const body = { ...WEB, redirect_uris: ['https://client.example.org/cb', 'https://evil.example/cb'] };
      expect(rejection(body).description).toBe(
        'redirect_uris[1] must be on the client_uri host or a subdomain of it',
      );
    });

    it('accepts any host with allowHostMismatch', () => {
      const body = { ...WEB, redirect_uris: ['https://elsewhere.example/cb'] };
      expect(validateClientRegistration(body, { allowHostMismatch: true }).redirect_uris).toEqual([
        'https://elsewhere.example/cb',
      ]);
    });

    it('is optional for clients without a redirect-based grant', () => {
      const body = { client_uri: 'https://bot.example/', grant_types: ['client_credentials'] };
      expect(validateClientRegistration(body)).toMatchObject({ redirect_uris: [], response_types: [] });
    });
  });

  describe('page URIs', () => {
    it.each(['logo_uri', 'policy_uri', 'tos_uri', 'initiate_login_uri'])(
      'requires %s on the client_uri host or a subdomain',
      (field) => {
        expect(
          validateClientRegistration({ ...WEB, [field]: 'https://cdn.client.example.org/x' }),
        ).toHaveProperty(field);
        expect(rejection({ ...WEB, [field]: 'https://cdn.example.net/x' }).error).toBe(
          'invalid_client_metadata',
        );
        expect(rejection({ ...WEB, [field]: 'http://client.example.org/x' }).error).toBe(
          'invalid_client_metadata',
        );
      },
    );
  });
});
