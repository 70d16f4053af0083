import { createHash, generateKeyPairSync, hkdfSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SigningKeys {
  /** Private JWKs for oidc-provider (ID tokens, signed userinfo). */
  jwks: { keys: JsonWebKey[] };
  /** Keys for signing oidc-provider's cookies, derived so no second secret needs managing. */
  cookieKeys: string[];
}

/**
 * Reads the signing keys, or generates an RSA key (RS256 is what every relying party supports) and
 * persists it on first start. Written to a temporary file and renamed, with mode 0600, so a crash or a
 * second replica never leaves a half-written key behind. Replicas must share the file (a mounted secret).
 */
export function loadOrCreateSigningKeys(path: string): SigningKeys {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    const kid = createHash('sha256')
      .update(jwk.n ?? '')
      .digest('base64url')
      .slice(0, 16);
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] }, null, 2), {
      mode: 0o600,
    });
    renameSync(tmp, path);
  }
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { keys?: JsonWebKey[] };
  const keys = parsed.keys ?? [];
  if (keys.length === 0 || keys.some((k) => typeof k.d !== 'string')) {
    throw new Error(`${path} must be a JWKS with at least one private key`);
  }
  const cookieKeys = keys.map((k) =>
    Buffer.from(
      hkdfSync('sha256', Buffer.from(String(k.d), 'base64url'), Buffer.alloc(0), 'gateway-auth-cookies', 32),
    ).toString('base64url'),
  );
  return { jwks: { keys }, cookieKeys };
}
