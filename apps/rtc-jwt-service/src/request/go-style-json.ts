/**
 * Decodes a parsed JSON value against a flat field spec the way lk-jwt-service's Go `encoding/json`
 * structs do, so type errors and missing fields fall on the same side of the M_NOT_JSON / M_BAD_JSON line:
 *
 * - a field of the wrong JSON type, or a non-object where an object is expected, is a decode error;
 * - an absent field or `null` becomes the zero value (`""`, `0`, an all-zero object) and is left for
 *   validation to reject;
 * - integers must be whole and within the safe range (Go rejects `1.5` for an `int`);
 * - unknown keys are ignored, or are a decode error in strict mode (Go's `DisallowUnknownFields`).
 *
 * Not cloned: Go's case-insensitive key matching and its tolerance of trailing bytes after the value.
 */

export type FieldSpec = 'string' | 'integer' | ObjectSpec;
export interface ObjectSpec {
  readonly [key: string]: FieldSpec;
}

export type Decoded<S extends FieldSpec> = S extends 'string'
  ? string
  : S extends 'integer'
    ? number
    : S extends ObjectSpec
      ? { -readonly [K in keyof S]: Decoded<S[K]> }
      : never;

/** A value did not fit the spec; the caller turns it into its "could not read the request" error. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/**
 * Decodes `value` (the result of `JSON.parse`) against `spec`. Throws DecodeError when the value does
 * not fit; returns a fully populated object otherwise.
 */
export function decodeGoStyle<S extends ObjectSpec>(value: unknown, spec: S, strict: boolean): Decoded<S> {
  return decodeField(value, spec, strict, '$') as Decoded<S>;
}

function decodeField(value: unknown, spec: FieldSpec, strict: boolean, path: string): unknown {
  if (spec === 'string') {
    if (value === null || value === undefined) return '';
    if (typeof value !== 'string') throw new DecodeError(`${path} is not a string`);
    return value;
  }
  if (spec === 'integer') {
    if (value === null || value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new DecodeError(`${path} is not an integer`);
    }
    return value;
  }
  if (value === null || value === undefined) return decodeObject({}, spec, strict, path);
  if (typeof value !== 'object' || Array.isArray(value)) throw new DecodeError(`${path} is not an object`);
  return decodeObject(value as Record<string, unknown>, spec, strict, path);
}

function decodeObject(
  value: Record<string, unknown>,
  spec: ObjectSpec,
  strict: boolean,
  path: string,
): Record<string, unknown> {
  if (strict) {
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(spec, key)) throw new DecodeError(`${path}.${key} is not a known field`);
    }
  }
  // Only the spec's own keys are copied, so a `__proto__` key in the body never reaches the result.
  const result: Record<string, unknown> = {};
  for (const [key, fieldSpec] of Object.entries(spec)) {
    const field = Object.hasOwn(value, key) ? value[key] : undefined;
    result[key] = decodeField(field, fieldSpec, strict, `${path}.${key}`);
  }
  return result;
}
