import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { looksLikeRecoveryCode, MfaSecrets, newRecoveryCodes } from './mfa-secrets';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from './totp';

/** An enrolment shown on the page: the secret for manual entry and the URI its QR code carries. */
export interface TotpEnrolment {
  secret: string;
  uri: string;
}

/** How a typed second factor was taken. */
export type SecondFactorOutcome = 'totp' | 'recovery-code' | 'wrong';

/**
 * A user's TOTP factor and recovery codes: enrolment (pending until its first code), checking a typed
 * code (a TOTP code once per step, a recovery code once), disabling and new recovery codes. Secrets
 * are sealed by `MfaSecrets`; the store sees only envelopes and hashes.
 */
export class Mfa {
  private readonly secrets: MfaSecrets;

  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
    encryptionKey: string,
    private readonly issuer: string,
  ) {
    this.secrets = new MfaSecrets(encryptionKey);
  }

  /** Whether signing in asks for a second factor: a confirmed TOTP factor or a passkey. */
  async enabled(userId: string): Promise<boolean> {
    return this.store.mfa.hasAnyFactor(userId);
  }

  /** Whether the user has a confirmed TOTP factor (the code field of the second step). */
  async totpEnabled(userId: string): Promise<boolean> {
    return this.store.mfa.hasTotp(userId);
  }

  /**
   * The pending enrolment to show, starting one when there is none (a reload shows the same secret, so
   * a code from an app that already scanned it still confirms). Null while a confirmed factor exists.
   */
  async pendingEnrolment(userId: string, account: string): Promise<TotpEnrolment | null> {
    let row = await this.store.mfa.findTotp(userId);
    if (row?.confirmedAt != null) return null;
    let secret = row === null ? null : this.secrets.openTotpSecret(userId, row.secretCiphertext);
    if (secret === null) {
      secret = newTotpSecret();
      if (!(await this.store.mfa.startTotp(userId, this.secrets.sealTotpSecret(userId, secret), this.now())))
        return null;
      row = await this.store.mfa.findTotp(userId);
      secret = row === null ? null : this.secrets.openTotpSecret(userId, row.secretCiphertext);
      if (secret === null) return null;
    }
    return { secret: base32Encode(secret), uri: otpauthUri(secret, this.issuer, account) };
  }

  /** A fresh secret for the pending enrolment (the user lost the first before confirming). */
  async restartEnrolment(userId: string): Promise<void> {
    await this.store.mfa.startTotp(userId, this.secrets.sealTotpSecret(userId, newTotpSecret()), this.now());
  }

  /** Confirms the pending enrolment with a current code: the recovery codes to show once, or null. */
  async confirmEnrolment(userId: string, code: string): Promise<string[] | null> {
    const row = await this.store.mfa.findTotp(userId);
    if (row === null || row.confirmedAt !== null) return null;
    const secret = this.secrets.openTotpSecret(userId, row.secretCiphertext);
    const step = secret === null ? null : matchTotp(secret, code, this.now(), null);
    if (step === null) return null;
    const codes = newRecoveryCodes();
    const hashes = codes.map((c) => this.secrets.recoveryCodeHash(userId, c));
    const ok = await this.store.mfa.confirmTotp(userId, row.secretCiphertext, step, hashes, this.now());
    return ok ? codes : null;
  }

  /** Checks a typed TOTP code or recovery code of a confirmed factor, using it up when it is right. */
  async verify(userId: string, typed: string): Promise<SecondFactorOutcome> {
    // Recovery codes stand in for any factor (a passkey too); they exist only while one does.
    if (looksLikeRecoveryCode(typed)) {
      const hash = this.secrets.recoveryCodeHash(userId, typed);
      return (await this.store.mfa.useRecoveryCode(userId, hash, this.now())) ? 'recovery-code' : 'wrong';
    }
    const row = await this.store.mfa.findTotp(userId);
    if (row === null || row.confirmedAt === null) return 'wrong';
    const secret = this.secrets.openTotpSecret(userId, row.secretCiphertext);
    const step = secret === null ? null : matchTotp(secret, typed, this.now(), row.lastUsedStep);
    if (step === null) return 'wrong';
    return (await this.store.mfa.useTotpStep(userId, step)) ? 'totp' : 'wrong';
  }

  /** New recovery codes (the old ones stop working) to show once; null without a factor. */
  async regenerateRecoveryCodes(userId: string): Promise<string[] | null> {
    const codes = newRecoveryCodes();
    const hashes = codes.map((c) => this.secrets.recoveryCodeHash(userId, c));
    return (await this.store.mfa.replaceRecoveryCodes(userId, hashes, this.now())) ? codes : null;
  }

  async unusedRecoveryCodes(userId: string): Promise<number> {
    return this.store.mfa.unusedRecoveryCodes(userId);
  }

  /** Removes the TOTP factor (and its codes unless a passkey remains); the caller has checked a code or the password. */
  async disable(userId: string): Promise<boolean> {
    return this.store.mfa.removeTotp(userId);
  }

  private now(): Date {
    return new Date(this.clock());
  }
}
