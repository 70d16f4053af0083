/**
 * The Matrix error codes the gateway answers with, and the HTTP status each one normally carries.
 * One table, so a new code is added in one place and every service reports it the same way.
 */
export const ERRCODES = {
  M_BAD_JSON: 400,
  M_NOT_JSON: 400,
  M_INVALID_PARAM: 400,
  M_MISSING_PARAM: 400,
  M_UNKNOWN_POS: 400,
  M_UNAUTHORIZED: 401,
  M_UNKNOWN_TOKEN: 401,
  M_MISSING_TOKEN: 401,
  M_FORBIDDEN: 403,
  M_USER_DEACTIVATED: 403,
  M_USER_LOCKED: 401,
  M_NOT_FOUND: 404,
  M_UNRECOGNIZED: 404,
  M_TOO_LARGE: 413,
  M_LIMIT_EXCEEDED: 429,
  M_UNKNOWN: 500,
} as const satisfies Record<string, number>;

export type Errcode = keyof typeof ERRCODES;

export function isErrcode(value: unknown): value is Errcode {
  return typeof value === 'string' && Object.hasOwn(ERRCODES, value);
}
