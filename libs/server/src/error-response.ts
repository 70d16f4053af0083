import { HttpException } from '@nestjs/common';
import { MatrixError, type MatrixErrorBody } from '@gateway/matrix';

export interface ErrorResponse {
  status: number;
  body: MatrixErrorBody;
  headers: Record<string, string>;
}

const UNKNOWN: ErrorResponse = {
  status: 500,
  body: { errcode: 'M_UNKNOWN', error: 'Internal server error' },
  headers: {},
};

/**
 * A request that waited its whole `connectionTimeoutMillis` (libs/db) for one of the database pool's
 * connections, all busy: pg-pool fails it with this plain Error (pg-pool's index.js, `connect`). It is
 * load, not a bug, so the client is told to come back shortly instead of getting a 500 — as after a
 * restart, when every client's long-poll arrives at once.
 */
export function isPoolExhausted(exception: unknown): boolean {
  return exception instanceof Error && exception.message === 'timeout exceeded when trying to connect';
}

/** How long a client refused for an exhausted pool is asked to wait. */
export const POOL_EXHAUSTED_RETRY_MS = 1_000;

/**
 * Maps anything thrown while handling a request to the Matrix error a client sees. Only MatrixError
 * and the framework's own client errors (unknown route, bad body) keep their meaning; anything else is
 * a bug and becomes a bare 500 M_UNKNOWN so no internal detail leaks.
 */
export function toErrorResponse(exception: unknown, methodNotAllowed: boolean): ErrorResponse {
  const matrix = isPoolExhausted(exception) ? MatrixError.limitExceeded(POOL_EXHAUSTED_RETRY_MS) : exception;
  if (matrix instanceof MatrixError) {
    return { status: matrix.status, body: matrix.toBody(), headers: matrix.headers };
  }
  const status = statusOf(exception);
  if (status === 404 || status === 405) {
    return methodNotAllowed
      ? { status: 405, body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }, headers: {} }
      : { status: 404, body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }, headers: {} };
  }
  const code = codeOf(exception);
  if (status === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: { errcode: 'M_TOO_LARGE', error: 'Request body too large' }, headers: {} };
  }
  if (code?.startsWith('FST_ERR_CTP_') === true || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, body: { errcode: 'M_NOT_JSON', error: 'Content not JSON.' }, headers: {} };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      status,
      body: { errcode: status === 401 ? 'M_UNAUTHORIZED' : 'M_UNKNOWN', error: 'Bad request' },
      headers: {},
    };
  }
  return UNKNOWN;
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  if (typeof exception === 'object' && exception !== null && 'statusCode' in exception) {
    const s = exception.statusCode;
    return typeof s === 'number' ? s : undefined;
  }
  return undefined;
}

function codeOf(exception: unknown): string | undefined {
  if (typeof exception === 'object' && exception !== null && 'code' in exception) {
    const c = exception.code;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}
