import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, matchTotp, otpauthUri, totpCode, totpStep } from './totp';

// RFC 6238 appendix B: the seeds per hash, and 8-digit codes at each time.
const SEEDS = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  it.each(VECTORS)('matches RFC 6238 appendix B at %i s', (seconds, sha1, sha256, sha512) => {
    const step = totpStep(new Date(seconds * 1000));
    expect(totpCode(SEEDS.sha1, step, 'sha1', 8)).toBe(sha1);
    expect(totpCode(SEEDS.sha256, step, 'sha256', 8)).toBe(sha256);
    expect(totpCode(SEEDS.sha512, step, 'sha512', 8)).toBe(sha512);
  });

  it('gives the 6-digit code apps show (the last six digits of the 8-digit vector)', () => {
    expect(totpCode(SEEDS.sha1, totpStep(new Date(1111111109_000)))).toBe('081804');
  });

  it('accepts the current step and one either side, not two, and never a used step again', () => {
    const at = new Date(1234567890_000);
    const now = totpStep(at);
    const code = (step: number) => totpCode(SEEDS.sha1, step);
    expect(matchTotp(SEEDS.sha1, code(now), at, null)).toBe(now);
    expect(matchTotp(SEEDS.sha1, code(now - 1), at, null)).toBe(now - 1);
    expect(matchTotp(SEEDS.sha1, code(now + 1), at, null)).toBe(now + 1);
    expect(matchTotp(SEEDS.sha1, code(now - 2), at, null)).toBeNull();
    expect(matchTotp(SEEDS.sha1, code(now + 2), at, null)).toBeNull();
    expect(matchTotp(SEEDS.sha1, code(now), at, now)).toBeNull();
    expect(matchTotp(SEEDS.sha1, code(now - 1), at, now - 1)).toBeNull();
    expect(matchTotp(SEEDS.sha1, code(now + 1), at, now)).toBe(now + 1);
    expect(matchTotp(SEEDS.sha1, ` ${code(now).slice(0, 3)} ${code(now).slice(3)} `, at, null)).toBe(now);
    expect(matchTotp(SEEDS.sha1, 'abcdef', at, null)).toBeNull();
    expect(matchTotp(SEEDS.sha1, '', at, null)).toBeNull();
  });

  it('encodes base32 as RFC 4648 section 10, without padding', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, output] of cases) {
      expect(base32Encode(Buffer.from(input))).toBe(output);
      expect(base32Decode(output.toLowerCase())?.toString()).toBe(input);
    }
    expect(base32Decode('MZXW 6YTB OI==')?.toString()).toBe('foobar');
    expect(base32Decode('MZXW1')).toBeNull();
  });

  it('writes the key URI authenticator apps read', () => {
    expect(otpauthUri(SEEDS.sha1, 'example.com', '@alice:example.com')).toBe(
      'otpauth://totp/example.com:%40alice%3Aexample.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' +
        '&issuer=example.com&algorithm=SHA1&digits=6&period=30',
    );
  });
});
