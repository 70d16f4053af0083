import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, TemplateError } from './claims-template';

const claims = { sub: 'abc', preferred_username: 'Alice.Smith', name: 'alice smith', age: 42, groups: ['a'] };

describe('claims templates', () => {
  it('renders claims and literal text', () => {
    expect(renderTemplate(parseTemplate('{{ user.sub }}'), claims)).toBe('abc');
    expect(renderTemplate(parseTemplate('{{user.preferred_username}}'), claims)).toBe('Alice.Smith');
    expect(renderTemplate(parseTemplate('gh-{{ user.sub }}-x'), claims)).toBe('gh-abc-x');
    expect(renderTemplate(parseTemplate('{{ user.age }}'), claims)).toBe('42');
  });

  it('applies lower, capitalize and default in order', () => {
    expect(renderTemplate(parseTemplate('{{ user.preferred_username | lower }}'), claims)).toBe(
      'alice.smith',
    );
    expect(renderTemplate(parseTemplate('{{ user.name | capitalize }}'), claims)).toBe('Alice smith');
    expect(renderTemplate(parseTemplate("{{ user.missing | default('Anon') }}"), claims)).toBe('Anon');
    expect(renderTemplate(parseTemplate('{{ user.missing | default("A|B") | lower }}'), claims)).toBe('a|b');
    // default keeps a present value.
    expect(renderTemplate(parseTemplate("{{ user.sub | default('x') }}"), claims)).toBe('abc');
  });

  it('renders null when nothing is left: an absent or non-text claim', () => {
    expect(renderTemplate(parseTemplate('{{ user.missing }}'), claims)).toBeNull();
    expect(renderTemplate(parseTemplate('{{ user.groups }}'), claims)).toBeNull();
    expect(renderTemplate(parseTemplate('  {{ user.missing | lower }} '), claims)).toBeNull();
  });

  it('refuses anything beyond the subset, saying what', () => {
    const refused: Array<[string, RegExp]> = [
      ['{% if user.sub %}x{% endif %}', /not \{% %\}/],
      ['{{ user.sub', /unclosed \{\{/],
      ['x }}', /unmatched \}\}/],
      ['{{ sub }}', /unsupported expression "sub"/],
      ['{{ user.__proto__.x }}', /unsupported expression/],
      ['{{ user.sub | upper }}', /unsupported filter "upper"/],
      ['{{ user.sub | default(user.name) }}', /unsupported filter/],
      ["{{ user.sub | default('x) }}", /unclosed quote/],
      ['{{ user.sub() }}', /unsupported expression/],
    ];
    for (const [source, message] of refused) {
      expect(() => parseTemplate(source), source).toThrow(TemplateError);
      expect(() => parseTemplate(source), source).toThrow(message);
    }
  });
});
