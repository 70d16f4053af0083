import { createHmac, createPrivateKey, randomBytes, type JsonWebKey } from 'node:crypto';
import type * as oidc from 'openid-client';
import { keyFitsAlg, signJws } from './jws';
import type { ClientAssertionAlg } from './upstream-config';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How long an assertion is valid: MAS's five minutes. */
const LIFETIME_SECONDS = 300;

/**
 * The service's own key (AUTH_SIGNING_KEY_FILE) that signs `private_key_jwt` assertions with `alg`: of
 * the algorithm's type (RSA, or EC on its curve), for signing, and labelled with that algorithm or with
 * none. The provider checks the signature with the public half published at /oauth2/keys.json.
 */
export function assertionKeyFor(
  alg: ClientAssertionAlg,
  keys: readonly JsonWebKey[],
): JsonWebKey | undefined {
  return keys.find(
    (k) => typeof k.d === 'string' && keyFitsAlg(alg, k) && (k['use'] === undefined || k['use'] === 'sig'),
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
  let signer: (data: Buffer) => Buffer;
  let kid: string | undefined;
  if ('secret' in secretOrKey) {
    const { secret } = secretOrKey;
    signer = (data) =>
      createHmac(`sha${alg.slice(2)}`, secret)
        .update(data)
        .digest();
  } else {
    const key = createPrivateKey({ key: secretOrKey.key, format: 'jwk' });
    kid = typeof secretOrKey.key['kid'] === 'string' ? secretOrKey.key['kid'] : undefined;
    signer = (data) => signJws(alg, key, data);
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
