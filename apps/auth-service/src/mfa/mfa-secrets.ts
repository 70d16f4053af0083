import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import { SealedBox } from '@gateway/util';

/**
 * The keys the second factors are kept under, derived (HKDF-SHA-256) from AUTH_MFA_ENCRYPTION_KEY,
 * which lives only in the service's configuration: a dump of the database holds neither a TOTP
 * secret nor anything a recovery code can be checked against offline.
 */
export class MfaSecrets {
  private readonly totpBox: SealedBox;
  private readonly recoveryKey: Buffer;

  constructor(masterKey: string) {
    this.totpBox = SealedBox.derive(masterKey, 'mfa totp secret v1');
    const ikm = Buffer.from(masterKey, 'utf8');
    this.recoveryKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'mfa recovery code v1', 32));
  }

  /** Sealed with the user id as associated data: a row moved to another user does not open. */
  sealTotpSecret(userId: string, secret: Buffer): string {
    return this.totpBox.seal(secret, userId);
  }

  /** The secret back, or null when the envelope is not ours (another key, another user, tampered). */
  openTotpSecret(userId: string, envelope: string): Buffer | null {
    return this.totpBox.open(envelope, userId);
  }

  /** What is stored of a recovery code: HMAC-SHA-256 under the service's key, bound to the user. */
  recoveryCodeHash(userId: string, code: string): string {
    return createHmac('sha256', this.recoveryKey)
      .update(`${userId}\n${normalizeRecoveryCode(code)}`)
      .digest('hex');
  }
}

/** Recovery codes: no 0/O or 1/I/L to misread; 10 characters, about 50 bits each. */
const RECOVERY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const RECOVERY_CODE_COUNT = 10;

/** A fresh set of recovery codes, shown as `XXXXX-XXXXX`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < 10; i++) code += RECOVERY_ALPHABET.charAt(randomInt(RECOVERY_ALPHABET.length));
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

/** How a typed recovery code compares: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]+/g, '');
}

/** Whether typed text has the shape of a recovery code (rather than a 6-digit TOTP code). */
export function looksLikeRecoveryCode(typed: string): boolean {
  const code = normalizeRecoveryCode(typed);
  return /^[A-HJKMNP-Z2-9]{10}$/.test(code);
}
