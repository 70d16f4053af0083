import { Body, type PipeTransform } from '@nestjs/common';

/**
 * A posted body as form fields: only string values, whatever arrived. Forms post urlencoded, but
 * anyone can post JSON (an array, `null`, numbers, nested objects) to the same route; those fields
 * read as missing instead of reaching code that expects text.
 */
export function formFields(body: unknown): Record<string, string | undefined> {
  const fields: Record<string, string | undefined> = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fields;
  for (const [key, value] of Object.entries(body as Record<string, unknown>))
    if (typeof value === 'string') fields[key] = value;
  return fields;
}

/** Nest's pipe form of `formFields`, for `@FormBody()`. */
class FormFieldsPipe implements PipeTransform<unknown, Record<string, string | undefined>> {
  transform(value: unknown): Record<string, string | undefined> {
    return formFields(value);
  }
}

/**
 * `@Body()` as form fields: every page handler takes its posted body through this, so a JSON body with
 * numbers, arrays or objects where a form has text reads as missing fields instead of a 500.
 */
export const FormBody = (): ParameterDecorator => Body(new FormFieldsPipe());
