import { describe, expect, it } from 'vitest';
import { parseEmailAddress } from './email-address';

describe('parseEmailAddress', () => {
  it('keeps the local part as typed, lower-cases the domain, trims', () => {
    expect(parseEmailAddress('  Alice@Example.ORG ')).toBe('Alice@example.org');
    expect(parseEmailAddress('a.b+tag@sub.example.co.uk')).toBe('a.b+tag@sub.example.co.uk');
  });

  it('refuses what is not an address, or could break a mail header', () => {
    for (const bad of [
      '',
      'plain',
      '@example.org',
      'a@',
      'a@b@example.org',
      'a@localhost',
      'a b@example.org',
      'a@example.org\r\nBcc: b@example.org',
      '"quoted"@example.org',
      '<a@example.org>',
      '.a@example.org',
      'a..b@example.org',
      'a@-example.org',
      `${'a'.repeat(65)}@example.org`,
      `a@${'b'.repeat(250)}.org`,
      42,
      ['a@example.org'],
      null,
    ])
      expect(parseEmailAddress(bad), String(bad)).toBeNull();
  });
});
