import { describe, expect, it } from 'vitest';
import {
  arrayField,
  booleanField,
  countField,
  isJsonObject,
  nonEmptyStringField,
  numberField,
  objectField,
  ownField,
  stringField,
  stringsField,
} from './json-guards';

describe('json guards', () => {
  it('tells objects from arrays, null and primitives', () => {
    expect(isJsonObject({})).toBe(true);
    expect([[], null, 'x', 1, undefined].map(isJsonObject)).toEqual([false, false, false, false, false]);
  });

  it('never reads inherited properties', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": "yes"}}') as Record<string, unknown>;
    expect(ownField({}, 'constructor')).toBeUndefined();
    expect(stringField(hostile, 'polluted')).toBeUndefined();
    expect(objectField(hostile, '__proto__')).toEqual({ polluted: 'yes' });
  });

  it('reads typed fields and treats wrong types as absent', () => {
    const o = { s: 'a', e: '', n: 1.5, c: 3, neg: -1, b: true, list: ['a', 1, 'b'], obj: { x: 1 } };
    expect(stringField(o, 's')).toBe('a');
    expect(nonEmptyStringField(o, 'e')).toBeUndefined();
    expect(numberField(o, 'n')).toBe(1.5);
    expect(numberField(o, 's')).toBeUndefined();
    expect(countField(o, 'c')).toBe(3);
    expect(countField(o, 'neg')).toBeUndefined();
    expect(countField(o, 'n')).toBeUndefined();
    expect(booleanField(o, 'b')).toBe(true);
    expect(stringsField(o, 'list')).toEqual(['a', 'b']);
    expect(stringsField(o, 's')).toBeUndefined();
    expect(arrayField(o, 'missing')).toEqual([]);
    expect(objectField(o, 'list')).toBeUndefined();
  });
});
