import { arrayValue, isJsonObject, ownField, type JsonObject } from '@gateway/util';

/**
 * What reading the homeserver's JSON needs beyond libs/util's own-property guards: Matrix user ids, and a
 * parse whose strings Postgres can store.
 */

/** Matrix user ids always start with `@`; anything else in a user-id list is dropped. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 1 && value.startsWith('@');
}

/** The user ids of a list field, or undefined when the field is not an array. */
export function userIdsField(obj: JsonObject, key: string): string[] | undefined {
  return arrayValue(ownField(obj, key))?.filter(isUserId);
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
    if (!isJsonObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.every((k) => storable(k) === k)) return value;
    // fromEntries defines own data properties, so a `__proto__` key stays data.
    return Object.fromEntries(keys.map((k) => [storable(k), value[k]]));
  });
}

function storable(s: string): string {
  return s.replaceAll('\0', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}
