import {
  constants,
  createPublicKey,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';

/** The asymmetric JWS algorithms (RFC 7518 §3.3–3.5, RFC 8037) with node:crypto's parameters for each. */
const ASYMMETRIC: Record<string, { kty: string; digest: string | null; curve?: string; pss?: true }> = {
  RS256: { kty: 'RSA', digest: 'sha256' },
  RS384: { kty: 'RSA', digest: 'sha384' },
  RS512: { kty: 'RSA', digest: 'sha512' },
  PS256: { kty: 'RSA', digest: 'sha256', pss: true },
  PS384: { kty: 'RSA', digest: 'sha384', pss: true },
  PS512: { kty: 'RSA', digest: 'sha512', pss: true },
  ES256: { kty: 'EC', digest: 'sha256', curve: 'P-256' },
  ES384: { kty: 'EC', digest: 'sha384', curve: 'P-384' },
  ES512: { kty: 'EC', digest: 'sha512', curve: 'P-521' },
  EdDSA: { kty: 'OKP', digest: null },
  Ed25519: { kty: 'OKP', digest: null },
};

/** Whether `alg` is one of the asymmetric JWS algorithms (never `none`, never a shared secret). */
export function isAsymmetricAlg(alg: string): boolean {
  return alg in ASYMMETRIC;
}

/** Whether a JWK is of `alg`'s key type (and curve), and not labelled for another algorithm. */
export function keyFitsAlg(alg: string, jwk: JsonWebKey): boolean {
  const spec = ASYMMETRIC[alg];
  if (spec === undefined || jwk.kty !== spec.kty) return false;
  if (spec.curve !== undefined && jwk.crv !== spec.curve) return false;
  return jwk['alg'] === undefined || jwk['alg'] === alg;
}

/** The key with the padding or signature encoding JWS asks of `alg` (ECDSA's is r‖s, not DER). */
function keyInput(alg: string, key: KeyObject): KeyObject | SignKeyObjectInput {
  const spec = ASYMMETRIC[alg];
  if (spec?.kty === 'EC') return { key, dsaEncoding: 'ieee-p1363' };
  if (spec?.pss === true)
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return key;
}

/** The JWS signature of `data` with a private key, for an asymmetric `alg`. */
export function signJws(alg: string, key: KeyObject, data: Buffer): Buffer {
  const spec = ASYMMETRIC[alg];
  if (spec === undefined) throw new Error(`${alg} is not an asymmetric JWS algorithm`);
  return sign(spec.digest, data, keyInput(alg, key));
}

/** Whether `signature` is `data`'s JWS signature under the public JWK, for an asymmetric `alg`. */
export function verifyJws(alg: string, jwk: JsonWebKey, data: Buffer, signature: Buffer): boolean {
  const spec = ASYMMETRIC[alg];
  if (spec === undefined || !keyFitsAlg(alg, jwk)) return false;
  try {
    return verify(spec.digest, data, keyInput(alg, createPublicKey({ key: jwk, format: 'jwk' })), signature);
  } catch {
    return false;
  }
}
