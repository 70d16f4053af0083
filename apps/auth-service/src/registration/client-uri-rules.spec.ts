import { describe, expect, it } from 'vitest';
import {
  checkClientPageUri,
  checkNativeRedirectUri,
  checkWebRedirectUri,
  isSameHostOrSubdomain,
  type UriPolicy,
} from './client-uri-rules';
import { OAuthError } from '../oauth-error';
import { isKnownPublicSuffix } from './public-suffix';

const STRICT: UriPolicy = {
  allowInsecureUris: false,
  allowHostMismatch: false,
  isPublicSuffix: isKnownPublicSuffix,
};
const INSECURE: UriPolicy = { ...STRICT, allowInsecureUris: true };
const ANY_HOST: UriPolicy = { ...STRICT, allowHostMismatch: true };

function problem(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return `${error.error}: ${error.description}`;
  }
}

describe(isSameHostOrSubdomain.name, () => {
  it.each([
    ['element.io', 'element.io', true],
    ['app.element.io', 'element.io', true],
    ['a.b.element.io', 'element.io', true],
    ['APP.Element.IO', 'element.io', true],
    ['evilelement.io', 'element.io', false],
    ['element.io', 'app.element.io', false],
    ['element.io.evil.com', 'element.io', false],
  ])('%s under %s: %s', (host, base, expected) => {
    expect(isSameHostOrSubdomain(host, base)).toBe(expected);
  });
});

describe(checkWebRedirectUri.name, () => {
  const web = (uri: string, policy = STRICT) =>
    problem(() => {
      checkWebRedirectUri(uri, 'redirect_uris[0]', 'element.io', policy);
    });

  it.each([
    'https://element.io/callback',
    'https://app.element.io/?no_universal_links=true',
    'https://app.element.io:8443/cb',
    'https://element.io',
  ])('accepts %s', (uri) => {
    expect(web(uri)).toBeNull();
  });

  it.each([
    ['http://app.element.io/cb', 'must use https'],
    ['https://localhost/cb', 'must not be localhost for a web client'],
    ['https://127.0.0.1/cb', 'must not be localhost for a web client'],
    ['https://[::1]/cb', 'must not be localhost for a web client'],
    ['https://evilelement.io/cb', 'must be on the client_uri host or a subdomain of it'],
    ['https://element.io/cb#frag', 'must not contain a fragment'],
    ['https://element.io/cb#', 'must not contain a fragment'],
    ['https://user@element.io/cb', 'must not contain credentials'],
    ['io.element.app:/cb', 'must use https'],
    ['javascript:alert(1)', 'must use https'],
    ['/relative', 'must be an absolute URI'],
  ])('refuses %s: %s', (uri, expected) => {
    expect(web(uri)).toBe(`invalid_redirect_uri: redirect_uris[0] ${expected}`);
  });

  it('allows http and localhost with allowInsecureUris, still not other schemes', () => {
    expect(web('http://localhost:3000/cb', { ...INSECURE, allowHostMismatch: true })).toBeNull();
    expect(web('http://app.element.io/cb', INSECURE)).toBeNull();
    expect(web('ftp://app.element.io/cb', INSECURE)).toMatch(/must use https/);
  });

  it('refuses public suffixes even with allowHostMismatch', () => {
    expect(web('https://github.io/cb', ANY_HOST)).toMatch(/public suffix/);
  });
});

describe(checkNativeRedirectUri.name, () => {
  const native = (uri: string, clientHost: string | null = 'element.io', policy = STRICT) =>
    problem(() => {
      checkNativeRedirectUri(uri, 'redirect_uris[0]', clientHost, policy);
    });

  it.each([
    'http://localhost/cb',
    'http://localhost:41237/callback',
    'http://127.0.0.1:8080',
    'http://[::1]:1234/cb?x=1',
    'io.element:/callback',
    'io.element.app:/callback',
    'io.element.elementx:/callback',
    'io.element.android:/',
    'io.element.desktop:/vector/webapp/',
    'IO.Element.App:/callback',
    'io.element.app:callback',
  ])('accepts %s for https://element.io', (uri) => {
    expect(native(uri)).toBeNull();
  });

  it.each([
    ['https://localhost/cb', 'must be a loopback http URI or a reverse-DNS private-use scheme'],
    ['http://localhost.evil.com/cb', 'must be a loopback http URI or a reverse-DNS private-use scheme'],
    ['http://127.0.0.2/cb', 'must be a loopback http URI or a reverse-DNS private-use scheme'],
    ['https://element.io/cb', 'must be a loopback http URI or a reverse-DNS private-use scheme'],
    ['element:/cb', 'must be a loopback http URI or a reverse-DNS private-use scheme'],
    ['io.element.app://callback', 'must not have an authority (use scheme:/path)'],
    ['io.element.app:///callback', 'must not have an authority (use scheme:/path)'],
    ['io.evil.app:/cb', 'scheme must be the client_uri host (or a subdomain) in reverse-DNS order'],
    ['io.elementx:/cb', 'scheme must be the client_uri host (or a subdomain) in reverse-DNS order'],
    ['element.io:/cb', 'scheme must be the client_uri host (or a subdomain) in reverse-DNS order'],
    ['io.element.app:/cb#x', 'must not contain a fragment'],
  ])('refuses %s: %s', (uri, expected) => {
    expect(native(uri)).toBe(`invalid_redirect_uri: redirect_uris[0] ${expected}`);
  });

  it('refuses the parent domain of the client_uri host', () => {
    expect(native('io.element:/cb', 'app.element.io')).toMatch(/reverse-DNS order/);
  });

  it('skips the domain match with allowHostMismatch or without a client_uri', () => {
    expect(native('com.other.app:/cb', 'element.io', ANY_HOST)).toBeNull();
    expect(native('com.other.app:/cb', null)).toBeNull();
  });
});

describe(checkClientPageUri.name, () => {
  const page = (uri: string, clientHost: string | null = 'element.io', policy = STRICT) =>
    problem(() => {
      checkClientPageUri(uri, 'logo_uri', clientHost, policy);
    });

  it('accepts https on the client host or a subdomain', () => {
    expect(page('https://element.io/logo.png')).toBeNull();
    expect(page('https://static.element.io/logo.png')).toBeNull();
  });

  it('refuses other hosts, http and credentials as invalid_client_metadata', () => {
    expect(page('https://cdn.example.net/logo.png')).toBe(
      'invalid_client_metadata: logo_uri must be on the client_uri host or a subdomain of it',
    );
    expect(page('http://element.io/logo.png')).toBe('invalid_client_metadata: logo_uri must use https');
    expect(page('https://a:b@element.io/')).toBe(
      'invalid_client_metadata: logo_uri must not contain credentials',
    );
  });

  it('takes any host when there is no client_uri or with allowHostMismatch', () => {
    expect(page('https://cdn.example.net/logo.png', null)).toBeNull();
    expect(page('https://cdn.example.net/logo.png', 'element.io', ANY_HOST)).toBeNull();
  });
});
