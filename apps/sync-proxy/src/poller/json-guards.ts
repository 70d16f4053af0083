/**
 * Type guards for reading untrusted JSON from the homeserver. They only look at own properties, so a
 * key such as `__proto__` or `constructor` in the input is data, never something inherited.
 */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null and not an array (both are `typeof 'object'`). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an own property only; anything inherited from a prototype counts as absent. */
export function field(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** `field(obj, key)` if it is an object, else undefined: a malformed section is treated as missing. */
export function objectField(obj: JsonObject, key: string): JsonObject | undefined {
  const value = field(obj, key);
  return isObject(value) ? value : undefined;
}

/**
 * A plain copy of `value` if it is an array. `filter`/`map` on the original would consult its own
 * `constructor` property (array species), which a non-JSON input can set to anything.
 */
export function arrayValue(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? Array.from(value as unknown[]) : undefined;
}

/** `field(obj, key)` as a plain array, or an empty one when it is not an array. */
export function arrayField(obj: JsonObject, key: string): unknown[] {
  return arrayValue(field(obj, key)) ?? [];
}

/** The strings of a list field, or undefined when the field is not an array. */
export function stringsField(obj: JsonObject, key: string): string[] | undefined {
  return arrayValue(field(obj, key))?.filter((v): v is string => typeof v === 'string');
}

export function stringField(obj: JsonObject, key: string): string | undefined {
  const value = field(obj, key);
  return typeof value === 'string' ? value : undefined;
}

/** Identifiers (event ids, user ids, types) are never empty: an empty one would collide as a key. */
export function nonEmptyStringField(obj: JsonObject, key: string): string | undefined {
  const value = stringField(obj, key);
  return value === '' ? undefined : value;
}

/** A finite number: NaN and infinities cannot come from JSON, but `unknown` input is not only JSON. */
export function numberField(obj: JsonObject, key: string): number | undefined {
  const value = field(obj, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A count as the homeserver reports it: a non-negative safe integer. */
export function countField(obj: JsonObject, key: string): number | undefined {
  const value = field(obj, key);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Matrix user ids always start with `@`; anything else in a user-id list is dropped. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 1 && value.startsWith('@');
}

/** The user ids of a list field, or undefined when the field is not an array. */
export function userIdsField(obj: JsonObject, key: string): string[] | undefined {
  return arrayValue(field(obj, key))?.filter(isUserId);
}

/** The JSON escapes of U+0000 and of surrogates (lone ones among them). */
const RISKY_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `JSON.parse` for a homeserver response, with every string, keys included, made storable: Postgres
 * (`jsonb` and `text`) holds neither U+0000 nor lone surrogates, both of which JSON can carry as escapes.
 * One such string would fail the whole batch on every retry of the same `since`, wedging the device
 * for good; they become U+FFFD instead. The slower reviving parse runs only when such escapes occur.
 */
export function parseStorableJson(text: string): unknown {
  if (!RISKY_ESCAPE.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') return storable(value);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.every((k) => storable(k) === k)) return value;
    // fromEntries defines own data properties, so a `__proto__` key stays data.
    return Object.fromEntries(keys.map((k) => [storable(k), value[k]]));
  });
}

function storable(s: string): string {
  return s.replaceAll('\0', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}
