import { describe, expect, it } from 'vitest';
import { looksLikeRecoveryCode, MfaSecrets, newRecoveryCodes, RECOVERY_CODE_COUNT } from './mfa-secrets';
import { base32Encode, newTotpSecret } from './totp';

const KEY = 'an operator key of at least 32 characters';

describe('MfaSecrets', () => {
  it('seals a TOTP secret so that neither its bytes nor its base32 appear, and opens it for its user only', () => {
    const secrets = new MfaSecrets(KEY);
    const secret = newTotpSecret();
    const envelope = secrets.sealTotpSecret('user-a', secret);
    expect(envelope).not.toContain(base32Encode(secret));
    expect(envelope).not.toContain(secret.toString('hex'));
    expect(envelope).not.toContain(secret.toString('base64url'));
    expect(secrets.openTotpSecret('user-a', envelope)).toEqual(secret);
    expect(secrets.openTotpSecret('user-b', envelope)).toBeNull();
    expect(new MfaSecrets(`${KEY}!`).openTotpSecret('user-a', envelope)).toBeNull();
    const [v, iv, tag, body] = envelope.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(
      secrets.openTotpSecret('user-a', [v, iv, tag, flipped.toString('base64url')].join('.')),
    ).toBeNull();
    expect(secrets.openTotpSecret('user-a', 'garbage')).toBeNull();
    // A fresh nonce each time: the same secret sealed twice gives two envelopes.
    expect(secrets.sealTotpSecret('user-a', secret)).not.toBe(envelope);
  });

  it('makes ten distinct recovery codes and hashes them per user and key, ignoring case and dashes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
      expect(looksLikeRecoveryCode(code)).toBe(true);
    }
    const secrets = new MfaSecrets(KEY);
    const code = codes[0]!;
    const hash = secrets.recoveryCodeHash('user-a', code);
    expect(hash).not.toContain(code.replace('-', ''));
    expect(secrets.recoveryCodeHash('user-a', code.toLowerCase().replace('-', ' '))).toBe(hash);
    expect(secrets.recoveryCodeHash('user-b', code)).not.toBe(hash);
    expect(new MfaSecrets(`${KEY}!`).recoveryCodeHash('user-a', code)).not.toBe(hash);
    expect(looksLikeRecoveryCode('123456')).toBe(false);
    expect(looksLikeRecoveryCode('LLLLL-LLLLL')).toBe(false);
  });
});
