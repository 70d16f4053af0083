/**
 * The OAuth error codes the domain modules raise, each with the HTTP status it is answered with.
 * RFC 6749 §5.2 (token endpoint), RFC 7591 §3.2.2 (registration), RFC 7662 §2.3 (introspection).
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_scope: 400,
  invalid_grant: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  unauthorized_client: 400,
  invalid_client: 401,
  access_denied: 401,
} as const satisfies Record<string, number>;

/** An OAuth `error` value this service may answer with. */
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

/** The wire body of an OAuth error response. */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

/**
 * An error meant for an OAuth client, rendered as `{error, error_description}` with `status`.
 * Framework-free on purpose: the HTTP layer maps it (oidc-provider has its own error classes, and
 * the Synapse-facing introspection controller is custom).
 */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly status: number;

  constructor(error: OAuthErrorCode, description: string, status: number = OAUTH_ERROR_STATUS[error]) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
    this.error = error;
    this.description = description;
    this.status = status;
  }

  /** The response body; the description is always safe to show (it never carries secrets). */
  toBody(): OAuthErrorBody {
    return { error: this.error, error_description: this.description };
  }
}
