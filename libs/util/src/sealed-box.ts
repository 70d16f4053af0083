import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Secrets a service must read back (not only compare), kept at rest as AES-256-GCM envelopes under a
 * key derived (HKDF-SHA-256) from a secret that lives only in the service's configuration, so a dump of
 * the database alone does not hold them. Each envelope is bound to what it belongs to (the associated
 * data: a user id, a client id), so a value copied onto another row does not open.
 *
 * Envelope: `v1.<nonce>.<tag>.<ciphertext>`, each part base64url; a fresh random 96-bit nonce per seal.
 */
export class SealedBox {
  private constructor(private readonly key: Buffer) {}

  /** `info` names the purpose, so two purposes under one configured secret get unrelated keys. */
  static derive(secret: string, info: string): SealedBox {
    if (secret.length === 0) throw new Error('a sealed box needs a non-empty secret');
    const ikm = Buffer.from(secret, 'utf8');
    return new SealedBox(Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32)));
  }

  seal(plaintext: Buffer | string, boundTo: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, ...[nonce, cipher.getAuthTag(), body].map((b) => b.toString('base64url'))].join('.');
  }

  /** The plaintext, or null when the envelope is not one of ours: malformed, another key, another owner, tampered. */
  open(envelope: string, boundTo: string): Buffer | null {
    const [version, nonce, tag, body, ...rest] = envelope.split('.');
    if (version !== VERSION || rest.length > 0 || !nonce || !tag || body === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      // final() is where GCM checks the tag: it throws rather than return forged plaintext.
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    } catch {
      return null;
    }
  }
}
