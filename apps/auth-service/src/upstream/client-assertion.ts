import { constants, createHmac, createPrivateKey, randomBytes, sign, type JsonWebKey } from 'node:crypto';
import type * as oidc from 'openid-client';
import type { ClientAssertionAlg } from './upstream-config';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How long an assertion is valid: MAS's five minutes. */
const LIFETIME_SECONDS = 300;
const CURVES: Partial<Record<ClientAssertionAlg, string>> = {
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
};

/**
 * The service's own key (AUTH_SIGNING_KEY_FILE) that signs `private_key_jwt` assertions with `alg`: of
 * the algorithm's type (RSA, or EC on its curve), for signing, and labelled with that algorithm or with
 * none. The provider checks the signature with the public half published at /oauth2/keys.json.
 */
export function assertionKeyFor(
  alg: ClientAssertionAlg,
  keys: readonly JsonWebKey[],
): JsonWebKey | undefined {
  const curve = CURVES[alg];
  return keys.find(
    (k) =>
      typeof k.d === 'string' &&
      (curve === undefined ? k.kty === 'RSA' : k.kty === 'EC' && k.crv === curve) &&
      (k['alg'] === undefined || k['alg'] === alg) &&
      (k['use'] === undefined || k['use'] === 'sig'),
  );
}

/**
 * RFC 7523 client authentication at the provider's token endpoint, as MAS sends it: `client_assertion`
 * and its type in the form (no client_id), a JWT whose `iss` and `sub` are the client id, `aud` the token
 * endpoint, valid five minutes, with a fresh `jti`; `client_secret_jwt` signs it with an HMAC under the
 * client secret, `private_key_jwt` with the service's key (its `kid` in the header).
 */
export function clientAssertion(
  clientId: string,
  alg: ClientAssertionAlg,
  secretOrKey: { secret: string } | { key: JsonWebKey },
): oidc.ClientAuth {
  const bits = alg.slice(2);
  const digest = `sha${bits}`;
  let signer: (data: Buffer) => Buffer;
  let kid: string | undefined;
  if ('secret' in secretOrKey) {
    const secret = secretOrKey.secret;
    signer = (data) => createHmac(digest, secret).update(data).digest();
  } else {
    const key = createPrivateKey({ key: secretOrKey.key, format: 'jwk' });
    kid = typeof secretOrKey.key['kid'] === 'string' ? secretOrKey.key['kid'] : undefined;
    signer = alg.startsWith('ES')
      ? (data) => sign(digest, data, { key, dsaEncoding: 'ieee-p1363' })
      : alg.startsWith('PS')
        ? (data) =>
            sign(digest, data, {
              key,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
            })
        : (data) => sign(digest, data, key);
  }
  return (as, _client, body) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg, ...(kid === undefined ? {} : { kid }) };
    const claims = {
      iss: clientId,
      sub: clientId,
      aud: as.token_endpoint ?? as.issuer,
      iat: now,
      exp: now + LIFETIME_SECONDS,
      jti: randomBytes(16).toString('base64url'),
    };
    const data = `${base64url(header)}.${base64url(claims)}`;
    body.set('client_assertion_type', JWT_BEARER);
    body.set('client_assertion', `${data}.${signer(Buffer.from(data)).toString('base64url')}`);
  };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
