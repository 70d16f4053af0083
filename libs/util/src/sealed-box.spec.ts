import { describe, expect, it } from 'vitest';
import { SealedBox } from './sealed-box';

const SECRET = 'an operator key of at least 32 characters';

describe('SealedBox', () => {
  it('opens what it sealed for the same owner only, under the same secret and purpose only', () => {
    const box = SealedBox.derive(SECRET, 'purpose a');
    const envelope = box.seal('the secret value', 'owner-1');
    expect(envelope).not.toContain('the secret value');
    expect(envelope).not.toContain(Buffer.from('the secret value').toString('base64url'));
    expect(box.open(envelope, 'owner-1')?.toString()).toBe('the secret value');
    expect(box.open(envelope, 'owner-2')).toBeNull();
    expect(SealedBox.derive(`${SECRET}!`, 'purpose a').open(envelope, 'owner-1')).toBeNull();
    expect(SealedBox.derive(SECRET, 'purpose b').open(envelope, 'owner-1')).toBeNull();
    // A fresh nonce each time.
    expect(box.seal('the secret value', 'owner-1')).not.toBe(envelope);
  });

  it('refuses tampered, truncated and foreign envelopes without throwing', () => {
    const box = SealedBox.derive(SECRET, 'purpose a');
    const envelope = box.seal(Buffer.from([1, 2, 3, 4]), 'owner');
    const [v, nonce, tag, body] = envelope.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    for (const bad of [
      [v, nonce, tag, flipped.toString('base64url')].join('.'),
      [v, nonce, tag].join('.'),
      [v, nonce, tag, body, ''].join('.'),
      ['v2', nonce, tag, body].join('.'),
      [v, nonce, 'AAAA', body].join('.'),
      [v, '', tag, body].join('.'),
      'garbage',
      '',
    ])
      expect(box.open(bad, 'owner'), bad).toBeNull();
  });

  it('opens an envelope written by the TOTP sealing it replaced (same derivation and layout)', () => {
    // Sealed by MfaSecrets.sealTotpSecret before it used this class (AUTH_MFA_ENCRYPTION_KEY = SECRET):
    // factors enrolled before the change must still open.
    const stored = 'v1.Z9PbeI9bmSQDcGvr.uTcJrKBXCddb7a6L5z8aXw._35smI4BFa5Q_KBw_TJM1HIugBY';
    const box = SealedBox.derive(SECRET, 'mfa totp secret v1');
    expect(box.open(stored, '@alice:example.org')?.toString()).toBe('12345678901234567890');
  });
});
