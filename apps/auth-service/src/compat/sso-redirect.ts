/**
 * The `redirectUrl` of an `m.login.sso` redirect is where the login token goes, so it is checked before
 * anything is stored: an absolute URL of at most 2 KiB, no credentials in it, and not a scheme that runs
 * code or reads local files in the browser. Custom schemes stay allowed (mobile apps use them). The
 * token is only sent there after the user signed in on our page, which names the destination; nobody can
 * bounce a browser through this service to a site of their choosing without the user's password.
 */
const MAX_LENGTH = 2048;
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

/** The URL the login token may be sent to, or null when `value` is not acceptable. */
export function checkRedirectUrl(value: string): URL | null {
  if (value.length === 0 || value.length > MAX_LENGTH) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u0020\u007f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return null;
  if (url.username !== '' || url.password !== '') return null;
  // A web destination must have a host; `https:foo` and `http:///x` would be reinterpreted by browsers.
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !/^https?:\/\/[^/]/i.test(value))
    return null;
  return url;
}

/** `redirectUrl` with `loginToken` added (replacing any the client put there). */
export function withLoginToken(redirectUrl: string, loginToken: string): string {
  const url = new URL(redirectUrl);
  url.searchParams.set('loginToken', loginToken);
  return url.toString();
}

/** What the sign-in page names as the destination: the host for web URLs, the scheme for apps. */
export function destinationLabel(redirectUrl: string): string {
  const url = new URL(redirectUrl);
  return url.host === '' ? url.protocol.replace(/:$/, '') : url.host;
}
