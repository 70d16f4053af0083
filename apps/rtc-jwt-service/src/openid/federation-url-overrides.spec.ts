import { describe, expect, it } from 'vitest';
import { overrideFor, parseFederationUrlOverrides } from './federation-url-overrides';

describe(parseFederationUrlOverrides.name, () => {
  it('parses entries, trimming whitespace and trailing slashes', () => {
    const overrides = parseFederationUrlOverrides(
      ' localhost=http://127.0.0.1:18448/ , example.com = https://synapse.internal:8448,[::1]:8448=http://[::1]:9000/prefix/',
    );
    expect([...overrides]).toEqual([
      ['localhost', 'http://127.0.0.1:18448'],
      ['example.com', 'https://synapse.internal:8448'],
      ['[::1]:8448', 'http://[::1]:9000/prefix'],
    ]);
  });

  it('accepts nothing at all', () => {
    expect(parseFederationUrlOverrides(undefined).size).toBe(0);
    expect(parseFederationUrlOverrides(' , ').size).toBe(0);
  });

  it.each([
    'localhost',
    'localhost=',
    '=http://x',
    'bad name=http://x',
    'localhost=ftp://x',
    'localhost=not a url',
    'localhost=http://x/?q=1',
    'localhost=http://user:pw@x/',
  ])('refuses %j with the upstream error shape', (raw) => {
    expect(() => parseFederationUrlOverrides(raw)).toThrow(
      /^failed parsing LIVEKIT_FEDERATION_URL_OVERRIDES: invalid entry ".*", expected server_name=url$/,
    );
  });

  it('refuses duplicates', () => {
    expect(() => parseFederationUrlOverrides('a.com=http://x,A.com=http://y')).toThrow(/duplicate/);
  });
});

describe(overrideFor.name, () => {
  it('matches case-insensitively', () => {
    const overrides = parseFederationUrlOverrides('Example.com=http://x:1');
    expect(overrideFor(overrides, 'EXAMPLE.COM')).toBe('http://x:1');
    expect(overrideFor(overrides, 'other.com')).toBeUndefined();
  });
});
