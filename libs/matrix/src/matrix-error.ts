import { ERRCODES, type Errcode } from './errcodes';

/** The JSON body every Matrix error response carries. */
export interface MatrixErrorBody {
  errcode: Errcode;
  error: string;
  [extra: string]: unknown;
}

export interface MatrixErrorOptions {
  /** Overrides the status the errcode normally carries (e.g. 400 M_UNKNOWN for a malformed `pos`). */
  status?: number;
  /** Extra fields of the body, e.g. `soft_logout` or `retry_after_ms`. */
  fields?: Record<string, unknown>;
  /** Response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error meant for the client. The one exception filter turns it into `{errcode, error, ...fields}`
 * with its status; anything that is not a MatrixError becomes 500 M_UNKNOWN with no detail, so internal
 * messages never reach a client by accident.
 */
export class MatrixError extends Error {
  readonly errcode: Errcode;
  readonly status: number;
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(errcode: Errcode, message: string, options: MatrixErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MatrixError';
    this.errcode = errcode;
    this.status = options.status ?? ERRCODES[errcode];
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }

  toBody(): MatrixErrorBody {
    return { ...this.fields, errcode: this.errcode, error: this.message };
  }

  /** 429 with both the header and the (deprecated but still read) body field. */
  static limitExceeded(retryAfterMs: number): MatrixError {
    const ms = Math.max(0, Math.ceil(retryAfterMs));
    return new MatrixError('M_LIMIT_EXCEEDED', 'Too many requests', {
      fields: { retry_after_ms: ms },
      headers: { 'Retry-After': String(Math.ceil(ms / 1000)) },
    });
  }
}
