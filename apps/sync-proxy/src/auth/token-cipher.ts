import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_SALT = 'matrix-gateway/sync-proxy';
const KEY_INFO = 'token-key v1';

/** The SHA-256 of a token: how tokens are looked up, so the plain text is never a database key. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Encrypts access tokens at rest. The pollers need the plain token to sync on a device's behalf, so it
 * is kept, but only as AES-256-GCM under a key derived from SYNCV3_SECRET: a database dump alone does
 * not hand out sessions.
 *
 * Blob layout: version byte (0x01) ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag. The token's hash is the
 * additional authenticated data, so a blob copied onto another row fails to decrypt.
 */
export class TokenCipher {
  private constructor(private readonly key: Buffer) {}

  /** Derives the key once; HKDF rather than the raw secret so the secret's length and shape don't matter. */
  static fromSecret(secret: string): TokenCipher {
    if (secret.length === 0) throw new Error('token cipher secret must not be empty');
    const key = Buffer.from(hkdfSync('sha256', secret, KEY_SALT, KEY_INFO, 32));
    return new TokenCipher(key);
  }

  encrypt(token: string, tokenHash: Buffer): Buffer {
    // A random 96-bit nonce per blob: the number of tokens ever encrypted under one key stays far below
    // the ~2^32 at which random GCM nonces start to risk colliding.
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(tokenHash);
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]);
  }

  /** Throws when the blob is malformed, of another version, tampered with, or not this row's. */
  decrypt(blob: Buffer, tokenHash: Buffer): string {
    if (blob.length < 1 + NONCE_BYTES + TAG_BYTES) throw new Error('token blob is too short');
    if (blob[0] !== VERSION) throw new Error('token blob has an unknown version');
    const nonce = blob.subarray(1, 1 + NONCE_BYTES);
    const body = blob.subarray(1 + NONCE_BYTES, blob.length - TAG_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(tokenHash);
    decipher.setAuthTag(tag);
    // final() is where GCM checks the tag; it throws rather than return forged plaintext.
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}
