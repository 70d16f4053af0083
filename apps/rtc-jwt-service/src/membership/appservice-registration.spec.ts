import { describe, expect, it } from 'vitest';
import { IS_JOINED_SCOPE, readRegistrationTokens, renderRegistration } from './appservice-registration';

describe('application-service registration', () => {
  it('claims no namespace, takes no transactions and holds only the is_joined scope', () => {
    const yaml = renderRegistration({ asToken: 'a"s', hsToken: 'hs' });
    expect(yaml).toContain('url: null\n');
    expect(yaml).toContain('namespaces:\n  users: []\n  aliases: []\n  rooms: []\n');
    expect(yaml).toContain(`io.element.msc4502.scopes:\n  - "${IS_JOINED_SCOPE}"\n`);
    expect(readRegistrationTokens(yaml)).toEqual({ asToken: 'a"s', hsToken: 'hs' });
  });

  it('makes new random tokens when none are given', () => {
    const one = readRegistrationTokens(renderRegistration());
    const two = readRegistrationTokens(renderRegistration());
    expect(one.asToken).toMatch(/^[0-9a-f]{64}$/);
    expect(one.asToken).not.toBe(one.hsToken);
    expect(one.asToken).not.toBe(two.asToken);
  });

  it('reads plain, single- and double-quoted tokens from a hand-written file', () => {
    const text = "id: lk\nas_token: plain-token  # comment\nhs_token: 'it''s'\nnamespaces:\n  users: []\n";
    expect(readRegistrationTokens(text)).toEqual({ asToken: 'plain-token', hsToken: "it's" });
    expect(readRegistrationTokens('as_token: "x"\r\nhs_token: "y"\r\n')).toEqual({
      asToken: 'x',
      hsToken: 'y',
    });
  });

  it('refuses a file without the tokens, or with an empty one', () => {
    expect(() => readRegistrationTokens('as_token: a\n')).toThrow('no top-level "hs_token"');
    expect(() => readRegistrationTokens('as_token: ""\nhs_token: b\n')).toThrow('"as_token" is empty');
    // Indented keys belong to another mapping, not to the registration.
    expect(() => readRegistrationTokens('x:\n  as_token: a\nhs_token: b\n')).toThrow(
      'no top-level "as_token"',
    );
  });
});
