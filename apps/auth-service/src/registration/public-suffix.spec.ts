import { describe, expect, it } from 'vitest';
import { isKnownPublicSuffix } from './public-suffix';

describe(isKnownPublicSuffix.name, () => {
  it.each(['com', 'io', 'org', 'co.uk', 'github.io', 'netlify.app', 'GitHub.IO', 'com.'])(
    'treats %s as a public suffix',
    (host) => {
      expect(isKnownPublicSuffix(host)).toBe(true);
    },
  );

  it.each([
    'element.io',
    'app.element.io',
    'example.co.uk',
    'me.github.io',
    'localhost',
    '127.0.0.1',
    '[::1]',
  ])('treats %s as registrable (or not a domain at all)', (host) => {
    expect(isKnownPublicSuffix(host)).toBe(false);
  });
});
