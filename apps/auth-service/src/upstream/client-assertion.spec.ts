import {
  constants,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  verify,
  type JsonWebKey,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertionKeyFor, clientAssertion } from './client-assertion';
import { checkAssertionKeys } from './upstream-clients';
import { SIGNING_ALGS, type ClientAssertionAlg, type UpstreamProviderConfig } from './upstream-config';

const AS = { issuer: 'https://id.example.org', token_endpoint: 'https://id.example.org/oauth/token' };

// RSA key generation takes ~0.3 s: the RSA cases share two keys.
const RSA = [0, 1].map(() =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
);

function keyOf(
  kind: 'rsa' | 'rsa2' | 'P-256' | 'P-384' | 'P-521',
  extra: Record<string, string> = {},
): JsonWebKey {
  if (kind === 'rsa' || kind === 'rsa2') return { ...RSA[kind === 'rsa' ? 0 : 1], ...extra };
  return {
    ...generateKeyPairSync('ec', { namedCurve: kind }).privateKey.export({ format: 'jwk' }),
    ...extra,
  };
}

/** What the token endpoint receives, split back into its parts. */
function assertionFrom(auth: ReturnType<typeof clientAssertion>) {
  const body = new URLSearchParams();
  const headers = new Headers();
  // openid-client's ClientAuth type returns void; ours signs synchronously.
  auth(AS, { client_id: 'gateway' }, body, headers);
  const jwt = body.get('client_assertion') ?? '';
  const [h, c, sig] = jwt.split('.');
  return {
    body,
    headers,
    data: Buffer.from(`${h}.${c}`),
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c!, 'base64url').toString()) as Record<string, number | string>,
    signature: Buffer.from(sig!, 'base64url'),
  };
}

describe('client assertions (client_secret_jwt, private_key_jwt)', () => {
  it("sends MAS's claims: iss and sub the client, aud the token endpoint, five minutes, a fresh jti", () => {
    const auth = clientAssertion('gateway', 'HS256', { secret: 'the client secret' });
    const first = assertionFrom(auth);
    const second = assertionFrom(auth);
    expect([...first.body.keys()].sort()).toEqual(['client_assertion', 'client_assertion_type']);
    expect(first.body.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    expect([...first.headers.keys()]).toEqual([]);
    expect(first.header).toEqual({ alg: 'HS256' });
    expect(first.claims).toMatchObject({ iss: 'gateway', sub: 'gateway', aud: AS.token_endpoint });
    expect(Number(first.claims['exp']) - Number(first.claims['iat'])).toBe(300);
    expect(Math.abs(Number(first.claims['iat']) - Date.now() / 1000)).toBeLessThan(5);
    expect(first.claims['jti']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second.claims['jti']).not.toBe(first.claims['jti']);
  });

  it.each(SIGNING_ALGS.client_secret_jwt)('signs %s with an HMAC under the client secret', (alg) => {
    const got = assertionFrom(clientAssertion('gateway', alg, { secret: 'the client secret' }));
    expect(got.header).toEqual({ alg });
    const expected = createHmac(`sha${alg.slice(2)}`, 'the client secret')
      .update(got.data)
      .digest();
    expect(got.signature.equals(expected)).toBe(true);
  });

  it.each(SIGNING_ALGS.private_key_jwt)("signs %s with the service's key, named by kid", (alg) => {
    const kind = alg.startsWith('ES')
      ? ({ ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const)[alg as 'ES256']
      : 'rsa';
    const jwk = keyOf(kind, { kid: `key-${alg}` });
    const got = assertionFrom(clientAssertion('gateway', alg, { key: jwk }));
    expect(got.header).toEqual({ alg, kid: `key-${alg}` });
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
    const key = createPublicKey({ key: publicJwk, format: 'jwk' });
    const digest = `sha${alg.slice(2)}`;
    const ok = alg.startsWith('ES')
      ? verify(digest, got.data, { key, dsaEncoding: 'ieee-p1363' }, got.signature)
      : alg.startsWith('PS')
        ? verify(
            digest,
            got.data,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
            got.signature,
          )
        : verify(digest, got.data, key, got.signature);
    expect(ok).toBe(true);
  });

  it('picks a private signing key of the algorithm: its type and curve, its alg label or none', () => {
    const rs256 = keyOf('rsa', { kid: 'rs256', alg: 'RS256', use: 'sig' });
    const unlabelled = keyOf('rsa2', { kid: 'any-rsa' });
    const p256 = keyOf('P-256', { kid: 'p256' });
    const encryption = keyOf('P-384', { kid: 'enc', use: 'enc' });
    const { d: _d, ...publicOnly } = keyOf('P-521', { kid: 'public' });
    const keys = [rs256, unlabelled, p256, encryption, publicOnly];
    const kidFor = (alg: ClientAssertionAlg) => assertionKeyFor(alg, keys)?.['kid'];
    expect(kidFor('RS256')).toBe('rs256');
    expect(kidFor('RS384')).toBe('any-rsa');
    expect(kidFor('PS256')).toBe('any-rsa');
    expect(kidFor('ES256')).toBe('p256');
    expect(kidFor('ES384')).toBeUndefined();
    expect(kidFor('ES512')).toBeUndefined();
    expect(assertionKeyFor('RS384', [rs256])).toBeUndefined();
  });

  it('stops the service when a private_key_jwt provider has no key of its algorithm, naming both', () => {
    const provider = (signingAlg: ClientAssertionAlg) =>
      ({ id: 'corp', authMethod: 'private_key_jwt', signingAlg }) as UpstreamProviderConfig;
    const keys = [keyOf('rsa', { kid: 'rs256', alg: 'RS256' })];
    expect(() => {
      checkAssertionKeys([provider('RS256')], keys);
    }).not.toThrow();
    expect(() => {
      checkAssertionKeys([provider('ES256')], keys);
    }).toThrow(
      'AUTH_UPSTREAM_OAUTH2: provider corp: token_endpoint_auth_signing_alg ES256 needs a private key of that algorithm in AUTH_SIGNING_KEY_FILE (it has RS256)',
    );
  });
});
