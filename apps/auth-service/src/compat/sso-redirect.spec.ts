import { describe, expect, it } from 'vitest';
import { checkRedirectUrl, destinationLabel, withLoginToken } from './sso-redirect';

describe(checkRedirectUrl.name, () => {
  it.each([
    'https://app.element.io/',
    'http://localhost:8080/#/login',
    'io.element.app:/callback',
    'element://vector/webapp/?x=1',
  ])('accepts %s', (url) => {
    expect(checkRedirectUrl(url)).not.toBeNull();
  });

  it.each([
    '',
    '/relative/path',
    '//evil.example/',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:text/html,<script>1</script>',
    'vbscript:x',
    'file:///etc/passwd',
    'https://user:pw@evil.example/',
    'https:evil.example',
    'http:///evil.example',
    ' https://evil.example/',
    'https://evil.example/\nSet-Cookie: x',
    `https://example.org/${'a'.repeat(2048)}`,
  ])('refuses %j', (url) => {
    expect(checkRedirectUrl(url)).toBeNull();
  });
});

describe(withLoginToken.name, () => {
  it('adds the token and keeps the rest of the query, replacing a loginToken the client sent', () => {
    const url = new URL(withLoginToken('https://app.example/cb?state=1&loginToken=old#frag', 'NEW'));
    expect(url.searchParams.get('state')).toBe('1');
    expect(url.searchParams.getAll('loginToken')).toEqual(['NEW']);
    expect(url.hash).toBe('#frag');
  });
});

describe(destinationLabel.name, () => {
  it('names the host for web URLs and the scheme for app URLs', () => {
    expect(destinationLabel('https://app.example:8443/x')).toBe('app.example:8443');
    expect(destinationLabel('io.element.app:/callback')).toBe('io.element.app');
  });
});
