import { OAuthError } from '../oauth-error';

/**
 * Typed reads of a registration request body. A wrong type is the client's error
 * (`invalid_client_metadata`); `null` counts as absent because many client libraries serialise unset
 * optional fields that way.
 */

/** A JSON object, as opposed to an array or a primitive. */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(field: string, problem: string): OAuthError {
  return new OAuthError('invalid_client_metadata', `${field} ${problem}`);
}

function own(body: JsonObject, field: string): unknown {
  // Own properties only: `constructor` or `__proto__` must not be read off the prototype.
  return Object.prototype.hasOwnProperty.call(body, field) ? body[field] : undefined;
}

/** A string field, or undefined when absent. Empty strings are refused: they mean nothing useful. */
export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = own(body, field);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value === '') throw invalid(field, 'must not be empty');
  return value;
}

/** An array-of-strings field, or undefined when absent. */
export function optionalStringArray(body: JsonObject, field: string): string[] | undefined {
  const value = own(body, field);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalid(field, 'must be an array of strings');
  }
  return value;
}

/** A string field restricted to `allowed`, or undefined when absent. */
export function optionalEnum<T extends string>(
  body: JsonObject,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw invalid(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** An object field, or undefined when absent. */
export function optionalObject(body: JsonObject, field: string): JsonObject | undefined {
  const value = own(body, field);
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalid(field, 'must be a JSON object');
  return value;
}

/** `[...new Set(items)]`, keeping the first occurrence's order. */
export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
