import { describe, expect, it } from 'vitest';
import { TokenCipher, hashToken } from './token-cipher';

const token = 'syt_YWxpY2U_abcdefghijklmnop_0123ab';

describe(hashToken.name, () => {
  it('is the SHA-256 of the token text', () => {
    expect(hashToken('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe(TokenCipher.name, () => {
  const cipher = TokenCipher.fromSecret('correct horse battery staple');
  const hash = hashToken(token);

  it('round-trips a token', () => {
    const blob = cipher.encrypt(token, hash);
    expect(cipher.decrypt(blob, hash)).toBe(token);
  });

  it('lays the blob out as version, nonce, ciphertext, tag', () => {
    const blob = cipher.encrypt(token, hash);
    expect(blob[0]).toBe(0x01);
    expect(blob.length).toBe(1 + 12 + Buffer.byteLength(token) + 16);
    expect(blob.includes(Buffer.from(token))).toBe(false);
  });

  it('uses a fresh nonce every time', () => {
    const a = cipher.encrypt(token, hash);
    const b = cipher.encrypt(token, hash);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
  });

  it('derives the same key from the same secret', () => {
    const blob = cipher.encrypt(token, hash);
    expect(TokenCipher.fromSecret('correct horse battery staple').decrypt(blob, hash)).toBe(token);
  });

  it('refuses another secret', () => {
    const blob = cipher.encrypt(token, hash);
    expect(() => TokenCipher.fromSecret('another secret').decrypt(blob, hash)).toThrow();
  });

  it("refuses a blob bound to another row's hash", () => {
    const blob = cipher.encrypt(token, hash);
    expect(() => cipher.decrypt(blob, hashToken('other'))).toThrow();
  });

  it.each([
    ['nonce', 5],
    ['ciphertext', 14],
    ['tag', -1],
  ])('refuses a blob whose %s was changed', (_part, index) => {
    const blob = cipher.encrypt(token, hash);
    const at = index < 0 ? blob.length + index : index;
    blob[at] = (blob[at] ?? 0) ^ 0x01;
    expect(() => cipher.decrypt(blob, hash)).toThrow();
  });

  it('refuses an unknown version and a truncated blob', () => {
    const blob = cipher.encrypt(token, hash);
    const v2 = Buffer.from(blob);
    v2[0] = 0x02;
    expect(() => cipher.decrypt(v2, hash)).toThrow(/version/);
    expect(() => cipher.decrypt(blob.subarray(0, 28), hash)).toThrow(/short/);
  });

  it('round-trips an empty and a non-ASCII token', () => {
    for (const t of ['', 'tøken-✓']) {
      const h = hashToken(t);
      expect(cipher.decrypt(cipher.encrypt(t, h), h)).toBe(t);
    }
  });

  it('refuses an empty secret', () => {
    expect(() => TokenCipher.fromSecret('')).toThrow();
  });
});
