import { describe, expect, it } from 'vitest';
import { DecodeError, decodeGoStyle } from './go-style-json';

const SPEC = { name: 'string', count: 'integer', inner: { flag: 'string' } } as const;

describe(decodeGoStyle.name, () => {
  it('fills absent and null fields with zero values', () => {
    expect(decodeGoStyle({}, SPEC, false)).toEqual({ name: '', count: 0, inner: { flag: '' } });
    expect(decodeGoStyle({ name: null, count: null, inner: null }, SPEC, false)).toEqual({
      name: '',
      count: 0,
      inner: { flag: '' },
    });
    expect(decodeGoStyle(null, SPEC, false)).toEqual({ name: '', count: 0, inner: { flag: '' } });
  });

  it('copies well-typed values', () => {
    expect(decodeGoStyle({ name: 'n', count: -3, inner: { flag: 'f' } }, SPEC, false)).toEqual({
      name: 'n',
      count: -3,
      inner: { flag: 'f' },
    });
  });

  it.each([
    ['a number for a string', { name: 1 }],
    ['a boolean for a string', { name: true }],
    ['an object for a string', { name: {} }],
    ['a string for an integer', { count: '10' }],
    ['a fraction for an integer', { count: 1.5 }],
    ['an unsafe integer', { count: 2 ** 60 }],
    ['an array for an object', { inner: [] }],
    ['a string for an object', { inner: 'x' }],
    ['a nested type error', { inner: { flag: 0 } }],
  ])('refuses %s', (_label, value) => {
    expect(() => decodeGoStyle(value, SPEC, false)).toThrow(DecodeError);
  });

  it.each([[[]], ['text'], [42], [true]])('refuses the non-object top-level value %j', (value) => {
    expect(() => decodeGoStyle(value, SPEC, false)).toThrow(DecodeError);
  });

  it('ignores unknown keys unless strict, at every level', () => {
    const value = { name: 'n', extra: 1, inner: { flag: 'f', more: true } };
    expect(decodeGoStyle(value, SPEC, false)).toEqual({ name: 'n', count: 0, inner: { flag: 'f' } });
    expect(() => decodeGoStyle({ extra: 1 }, SPEC, true)).toThrow(DecodeError);
    expect(() => decodeGoStyle({ inner: { more: true } }, SPEC, true)).toThrow(DecodeError);
  });

  it('does not let a __proto__ key through', () => {
    const value: unknown = JSON.parse('{"__proto__": {"polluted": "yes"}, "name": "n"}');
    const decoded = decodeGoStyle(value, SPEC, false);
    expect(Object.keys(decoded)).toEqual(['name', 'count', 'inner']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
