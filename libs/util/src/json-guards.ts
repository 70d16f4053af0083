/**
 * The one vocabulary for reading untrusted JSON (request bodies, upstream answers). Reads look at own
 * properties only, so a key such as `__proto__` or `constructor` in the input is data, never something
 * inherited from a (possibly polluted) prototype.
 */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null and not an array (both are `typeof 'object'`). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an own property only; anything inherited counts as absent. */
export function ownField(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The field if it is an object, else undefined: a malformed section is treated as missing. */
export function objectField(obj: JsonObject, key: string): JsonObject | undefined {
  const value = ownField(obj, key);
  return isJsonObject(value) ? value : undefined;
}

/**
 * A plain copy of `value` if it is an array. `filter`/`map` on the original would consult its own
 * `constructor` property (array species), which a non-JSON input can set to anything.
 */
export function arrayValue(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? Array.from(value as unknown[]) : undefined;
}

/** The field as a plain array, or an empty one when it is not an array. */
export function arrayField(obj: JsonObject, key: string): unknown[] {
  return arrayValue(ownField(obj, key)) ?? [];
}

/** The strings of a list field, or undefined when the field is not an array. */
export function stringsField(obj: JsonObject, key: string): string[] | undefined {
  return arrayValue(ownField(obj, key))?.filter((v): v is string => typeof v === 'string');
}

export function stringField(obj: JsonObject, key: string): string | undefined {
  const value = ownField(obj, key);
  return typeof value === 'string' ? value : undefined;
}

/** Identifiers are never empty: an empty one would collide as a key. */
export function nonEmptyStringField(obj: JsonObject, key: string): string | undefined {
  const value = stringField(obj, key);
  return value === '' ? undefined : value;
}

/** A finite number: NaN and infinities cannot come from JSON, but `unknown` input is not only JSON. */
export function numberField(obj: JsonObject, key: string): number | undefined {
  const value = ownField(obj, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A count: a non-negative safe integer. */
export function countField(obj: JsonObject, key: string): number | undefined {
  const value = ownField(obj, key);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function booleanField(obj: JsonObject, key: string): boolean | undefined {
  const value = ownField(obj, key);
  return typeof value === 'boolean' ? value : undefined;
}

/** U+0000, or a surrogate without its pair. */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (text: string): boolean => UNSTORABLE.test(text);

/**
 * Whether a parsed JSON value holds, in any string or key, text Postgres cannot store: U+0000 (text and
 * jsonb) or an unpaired surrogate (jsonb refuses its `\uD800` escape). Such input failed deep in a query
 * with a 500 (found by the security tier); the services refuse it where they parse. Walks with an
 * explicit stack: parsed JSON may be nested deeper than recursion goes.
 */
export function hasUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (unstorable(item)) return true;
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (unstorable(key)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
