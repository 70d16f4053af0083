import { describe, expect, it } from 'vitest';
import { parseServerName, parseUserId, serverNameOf } from './ids';

describe('parseUserId', () => {
  it.each(['@alice:localhost', '@a.b_c=d/e-f+g:example.org:8448', '@x:[::1]:8448', '@x:127.0.0.1'])(
    'accepts %s',
    (id) => {
      expect(parseUserId(id)).toBe(id);
    },
  );
  it.each([
    'alice:localhost',
    '@:localhost',
    '@alice',
    '@alice:',
    '@al ice:localhost',
    '@alice:bad host',
    `@${'a'.repeat(260)}:x`,
  ])('refuses %s', (id) => {
    expect(parseUserId(id)).toBeNull();
  });
  it('splits off the server name', () => {
    expect(serverNameOf(parseUserId('@alice:example.org:8448')!)).toBe('example.org:8448');
  });
});

describe('parseServerName', () => {
  it('accepts hosts, ports and IPv6 literals', () => {
    expect(parseServerName('matrix.org')).toBe('matrix.org');
    expect(parseServerName('[2001:db8::1]:8448')).toBe('[2001:db8::1]:8448');
    expect(parseServerName('bad/host')).toBeNull();
  });
});
