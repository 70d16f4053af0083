import { describe, expect, it } from 'vitest';
import {
  arrayField,
  booleanField,
  hasUnstorableText,
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

describe('hasUnstorableText', () => {
  it('finds U+0000 or an unpaired surrogate in a string or key at any depth, and nothing else', () => {
    expect(hasUnstorableText({ a: [{ b: 'x\0y' }] })).toBe(true);
    expect(hasUnstorableText({ 'k\0': 1 })).toBe(true);
    expect(hasUnstorableText('\0')).toBe(true);
    expect(hasUnstorableText({ a: ['x', 1, null, true, { b: '\\u0000' }] })).toBe(false);
    expect(hasUnstorableText(['\uD800'])).toBe(true);
    expect(hasUnstorableText({ '\uDC00x': 1 })).toBe(true);
    expect(hasUnstorableText(['😀 \uD83D\uDE00'])).toBe(false);
    let deep: unknown = 'ok\0';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(hasUnstorableText(deep)).toBe(true);
  });
});
