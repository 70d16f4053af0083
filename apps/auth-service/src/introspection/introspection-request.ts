import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../oauth-error';

/**
 * Reading an RFC 7662 introspection request as Synapse sends it (synapse/api/auth/mas.py): a form body
 * `token=…&token_type_hint=access_token`, `Authorization: Bearer <shared secret>` and
 * `X-MAS-Supports-Device-Id: 1`. Confidential clients may authenticate instead (the legacy msc3861
 * integration introspected as a registered client); their credentials are handed back for the caller
 * to verify against storage.
 */

/** Request headers as Node exposes them (any key case is accepted). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;
/** The form body: raw, parsed by URLSearchParams, or parsed into an object by a body parser. */
export type FormBody = string | URLSearchParams | Readonly<Record<string, unknown>>;

/** The token types a caller may hint at. */
export type TokenTypeHint = 'access_token' | 'refresh_token';

/**
 * The homeserver's shared secret, hashed once when the service starts: every introspection compares
 * against it, and hashing it again per request was measurable in bench/auth.
 */
export class SharedSecret {
  private readonly digest: Buffer | null;

  constructor(secret: string) {
    // An unset secret must never authenticate anyone, whatever is presented.
    this.digest = secret === '' ? null : sha256(secret);
  }

  /** Constant time: both sides are hashed, so the length does not leak either. */
  matches(presented: string): boolean {
    return this.digest !== null && timingSafeEqual(sha256(presented), this.digest);
  }
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Who is introspecting. */
export type IntrospectionCaller =
  | { kind: 'homeserver' }
  | {
      kind: 'client';
      method: 'client_secret_basic' | 'client_secret_post';
      clientId: string;
      clientSecret: string;
    }
  | {
      kind: 'client';
      method: 'client_assertion';
      clientId: string | null;
      assertionType: string;
      assertion: string;
    };

/** A parsed, authenticated-or-identified introspection request. */
export interface IntrospectionRequest {
  caller: IntrospectionCaller;
  token: string;
  /** Null when absent or not one this server knows (RFC 7662 §2.1 lets the server ignore it). */
  tokenTypeHint: TokenTypeHint | null;
  /** Synapse sent `X-MAS-Supports-Device-Id: 1`: compat sessions answer with `device_id`. */
  supportsDeviceId: boolean;
}

/**
 * Authenticates and parses an introspection request (the shared secret is compared in constant time).
 *
 * @throws OAuthError 401 `access_denied` for a wrong Bearer secret, 401 `invalid_client` when no
 * credentials are given or the caller is a public client, 400 `invalid_request` for a missing or
 * repeated parameter or more than one authentication method.
 */
export function parseIntrospectionRequest(
  headers: RequestHeaders,
  body: FormBody,
  sharedSecret: SharedSecret,
): IntrospectionRequest {
  const form = toSearchParams(body);
  const caller = authenticate(header(headers, 'authorization'), form, sharedSecret);
  const token = single(form, 'token');
  if (token === null || token === '') throw new OAuthError('invalid_request', 'token is required');
  const hint = single(form, 'token_type_hint');
  return {
    caller,
    token,
    tokenTypeHint: hint === 'access_token' || hint === 'refresh_token' ? hint : null,
    supportsDeviceId: header(headers, 'x-mas-supports-device-id') === '1',
  };
}

function authenticate(
  authorization: string | null,
  form: URLSearchParams,
  sharedSecret: SharedSecret,
): IntrospectionCaller {
  const clientId = single(form, 'client_id');
  const clientSecret = single(form, 'client_secret');
  const assertion = single(form, 'client_assertion');
  const bodyAuth = clientSecret !== null || assertion !== null;
  if (authorization !== null && bodyAuth) {
    throw new OAuthError('invalid_request', 'use only one client authentication method');
  }
  if (authorization !== null) return fromAuthorization(authorization, sharedSecret);
  if (clientId !== null && clientSecret !== null) {
    return { kind: 'client', method: 'client_secret_post', clientId, clientSecret };
  }
  if (assertion !== null) {
    const assertionType = single(form, 'client_assertion_type') ?? '';
    return { kind: 'client', method: 'client_assertion', clientId, assertionType, assertion };
  }
  throw new OAuthError(
    'invalid_client',
    clientId === null ? 'client authentication is required' : 'public clients cannot introspect tokens',
  );
}

function fromAuthorization(authorization: string, sharedSecret: SharedSecret): IntrospectionCaller {
  const bearer = /^Bearer(?: +(.*))?$/is.exec(authorization);
  if (bearer) {
    if (!sharedSecret.matches(bearer[1] ?? '')) throw new OAuthError('access_denied', 'invalid bearer token');
    return { kind: 'homeserver' };
  }
  const basic = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(authorization);
  const decoded = basic ? Buffer.from(basic[1] ?? '', 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'unsupported or malformed Authorization header');
  try {
    // RFC 6749 §2.3.1: both halves are form-urlencoded before being joined.
    const clientId = decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' '));
    const clientSecret = decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' '));
    return { kind: 'client', method: 'client_secret_basic', clientId, clientSecret };
  } catch {
    throw new OAuthError('invalid_client', 'malformed client credentials');
  }
}

function header(headers: RequestHeaders, name: string): string | null {
  const values = Object.entries(headers).filter(
    ([key, value]) => key.toLowerCase() === name && value !== undefined,
  );
  const all = values.flatMap(([, value]) => (typeof value === 'string' ? [value] : [...(value ?? [])]));
  if (all.length > 1) throw new OAuthError('invalid_request', `the ${name} header must be sent once`);
  const value = all[0];
  return value === undefined ? null : trimOws(value);
}

/** Optional whitespace around a field value is not part of it (RFC 9110 §5.5); nothing else is. */
function trimOws(value: string): string {
  const ows = (c: string) => c === ' ' || c === '\t';
  let start = 0;
  let end = value.length;
  while (start < end && ows(value.charAt(start))) start++;
  while (end > start && ows(value.charAt(end - 1))) end--;
  return value.slice(start, end);
}

/** RFC 6749 §3.1: parameters must not be repeated. */
function single(form: URLSearchParams, name: string): string | null {
  const values = form.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `${name} must be given once`);
  return values[0] ?? null;
}

function toSearchParams(body: FormBody): URLSearchParams {
  if (typeof body === 'string') return new URLSearchParams(body);
  if (body instanceof URLSearchParams) return body;
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      // The key is the client's input: keep it out of the description.
      if (typeof item !== 'string')
        throw new OAuthError('invalid_request', 'form parameters must be strings');
      form.append(key, item);
    }
  }
  return form;
}
