import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * A Synapse signing key file (`ed25519 <version> <unpadded base64 seed>`), generated here instead of
 * with `--generate-keys`, which would cost a second Python start-up per run.
 */
export function synapseSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url')
    .toString('base64')
    .replace(/=+$/, '');
  return `ed25519 a_${randomBytes(3).toString('hex')} ${seed}\n`;
}
