import { describe, expect, it } from 'vitest';
import { authority, splitServerName } from './server-name';

describe(splitServerName.name, () => {
  it.each([
    ['example.com', { host: 'example.com', port: null, ipLiteral: false }],
    ['example.com:8448', { host: 'example.com', port: 8448, ipLiteral: false }],
    ['1.2.3.4', { host: '1.2.3.4', port: null, ipLiteral: true }],
    ['127.0.0.1:18448', { host: '127.0.0.1', port: 18448, ipLiteral: true }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: null, ipLiteral: true }],
    ['[::1]:8448', { host: '::1', port: 8448, ipLiteral: true }],
  ])('splits %s', (name, parts) => {
    expect(splitServerName(name)).toEqual(parts);
  });

  it.each([
    '',
    'exa mple.com',
    'example.com:',
    'example.com:0',
    'example.com:65536',
    'example.com:99999',
    '::1',
    '[not-v6]',
    'a/b',
    'example.com:80:80',
    '@evil',
  ])('refuses %j', (name) => {
    expect(splitServerName(name)).toBeNull();
  });
});

describe(authority.name, () => {
  it('brackets IPv6 only', () => {
    expect(authority('::1', 8448)).toBe('[::1]:8448');
    expect(authority('example.com', null)).toBe('example.com');
    expect(authority('1.2.3.4', 443)).toBe('1.2.3.4:443');
  });
});
