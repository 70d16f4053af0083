import { OAuthError, type OAuthErrorCode } from '../oauth-error';

/**
 * The URI rules of MSC2966 client registration as MAS applies them
 * (https://github.com/element-hq/matrix-authentication-service/blob/main/policies/client_registration/client_registration.rego): every URI lives on the `client_uri` host or a subdomain, web redirects are https, native redirects are
 * loopback http or a private-use scheme that is the client's domain reversed.
 */

/** The relaxations MAS's policy offers, plus the public-suffix lookup. */
export interface UriPolicy {
  /** Allow http (and localhost web redirects), for development. */
  allowInsecureUris: boolean;
  /** Do not require URIs to be on the client_uri host. */
  allowHostMismatch: boolean;
  isPublicSuffix: (host: string) => boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// A scheme followed by `//` has an authority, even an empty one (`app:///x`).
const HAS_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function fail(code: OAuthErrorCode, field: string, problem: string): never {
  throw new OAuthError(code, `${field} ${problem}`);
}

function parseUrl(value: string, field: string, code: OAuthErrorCode): URL {
  try {
    return new URL(value);
  } catch {
    return fail(code, field, 'must be an absolute URI');
  }
}

/** Whether `host` is `base` or one of its subdomains (`app.element.io` under `element.io`). */
export function isSameHostOrSubdomain(host: string, base: string): boolean {
  const h = host.toLowerCase();
  const b = base.toLowerCase();
  return h === b || h.endsWith(`.${b}`);
}

/** Checks an https page URI (`client_uri`, `logo_uri`, …) and returns it parsed. */
export function checkPageUri(value: string, field: string, policy: UriPolicy): URL {
  const url = parseUrl(value, field, 'invalid_client_metadata');
  const secure = url.protocol === 'https:' || (policy.allowInsecureUris && url.protocol === 'http:');
  if (!secure) fail('invalid_client_metadata', field, 'must use https');
  checkNoCredentials(url, field, 'invalid_client_metadata');
  if (policy.isPublicSuffix(url.hostname))
    fail('invalid_client_metadata', field, 'must not be a public suffix');
  return url;
}

/** Checks a page URI that must also sit on the client_uri host (or a subdomain). */
export function checkClientPageUri(
  value: string,
  field: string,
  clientHost: string | null,
  policy: UriPolicy,
): void {
  const url = checkPageUri(value, field, policy);
  checkOnClientHost(url, field, clientHost, policy, 'invalid_client_metadata');
}

function checkRedirectBasics(value: string, field: string): URL {
  const url = parseUrl(value, field, 'invalid_redirect_uri');
  // RFC 6749 §3.1.2: the authorization server appends to the URI; a fragment would swallow it.
  if (value.includes('#')) fail('invalid_redirect_uri', field, 'must not contain a fragment');
  checkNoCredentials(url, field, 'invalid_redirect_uri');
  return url;
}

/** Checks a redirect URI of a `web` client: https, not localhost, on the client_uri host. */
export function checkWebRedirectUri(
  value: string,
  field: string,
  clientHost: string | null,
  policy: UriPolicy,
): void {
  const url = checkRedirectBasics(value, field);
  if (policy.allowInsecureUris) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      fail('invalid_redirect_uri', field, 'must use https');
  } else {
    if (url.protocol !== 'https:') fail('invalid_redirect_uri', field, 'must use https');
    if (LOOPBACK_HOSTS.has(url.hostname))
      fail('invalid_redirect_uri', field, 'must not be localhost for a web client');
  }
  if (policy.isPublicSuffix(url.hostname)) fail('invalid_redirect_uri', field, 'must not be a public suffix');
  checkOnClientHost(url, field, clientHost, policy, 'invalid_redirect_uri');
}

/**
 * Checks a redirect URI of a `native` client: `http://localhost|127.0.0.1|[::1]` on any port and path,
 * or a private-use scheme with no authority whose reversed name is the client_uri host or a subdomain
 * (`io.element.app:/callback` for `https://element.io`).
 */
export function checkNativeRedirectUri(
  value: string,
  field: string,
  clientHost: string | null,
  policy: UriPolicy,
): void {
  const url = checkRedirectBasics(value, field);
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return;
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'http' || scheme === 'https' || !scheme.includes('.')) {
    fail('invalid_redirect_uri', field, 'must be a loopback http URI or a reverse-DNS private-use scheme');
  }
  if (HAS_AUTHORITY.test(value))
    fail('invalid_redirect_uri', field, 'must not have an authority (use scheme:/path)');
  const domain = scheme.split('.').reverse().join('.');
  if (clientHost !== null && !policy.allowHostMismatch && !isSameHostOrSubdomain(domain, clientHost)) {
    fail(
      'invalid_redirect_uri',
      field,
      'scheme must be the client_uri host (or a subdomain) in reverse-DNS order',
    );
  }
}

function checkNoCredentials(url: URL, field: string, code: OAuthErrorCode): void {
  if (url.username !== '' || url.password !== '') fail(code, field, 'must not contain credentials');
}

function checkOnClientHost(
  url: URL,
  field: string,
  clientHost: string | null,
  policy: UriPolicy,
  code: OAuthErrorCode,
): void {
  if (clientHost !== null && !policy.allowHostMismatch && !isSameHostOrSubdomain(url.hostname, clientHost))
    fail(code, field, 'must be on the client_uri host or a subdomain of it');
}
