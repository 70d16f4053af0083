/** The `/_synapse/mas/*` endpoints Synapse 1.160 serves (synapse/rest/synapse/mas/__init__.py). */
export type MasCall =
  | 'query_user'
  | 'provision_user'
  | 'is_localpart_available'
  | 'delete_user'
  | 'reactivate_user'
  | 'set_displayname'
  | 'unset_displayname'
  | 'allow_cross_signing_reset'
  | 'upsert_device'
  | 'delete_device'
  | 'update_device_display_name'
  | 'sync_devices';

/**
 * Why a call failed:
 * - `status`: Synapse answered with an error status (or a success status this call never returns);
 * - `timeout`: no full answer within the client's timeout;
 * - `aborted`: the caller's signal fired;
 * - `network`: connection refused, reset, DNS failure, …;
 * - `bad_response`: a success status with a body that is not what the endpoint returns.
 */
export type SynapseCallFailure = 'status' | 'timeout' | 'aborted' | 'network' | 'bad_response';

export interface SynapseCallErrorDetails {
  call: MasCall;
  failure: SynapseCallFailure;
  status?: number | undefined;
  errcode?: string | undefined;
  /** Synapse's human-readable `error` text. */
  synapseError?: string | undefined;
  /** Extra detail for non-status failures (already redacted). */
  detail?: string | undefined;
  cause?: unknown;
}

/**
 * A failed `/_synapse/mas/*` call. The message names the endpoint and the status; it is built only from
 * Synapse's answer and the failure kind, never from the request headers, so the shared secret cannot
 * end up in logs through it (the client also redacts the secret from any text it copies in).
 */
export class SynapseCallError extends Error {
  override readonly name = 'SynapseCallError';
  readonly call: MasCall;
  readonly failure: SynapseCallFailure;
  /** HTTP status, when Synapse answered. */
  readonly status: number | undefined;
  /** Matrix `errcode` (`M_NOT_FOUND`, `M_INVALID_USERNAME`, …), when the body carried one. */
  readonly errcode: string | undefined;
  readonly synapseError: string | undefined;

  constructor(details: SynapseCallErrorDetails) {
    super(describe(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.call = details.call;
    this.failure = details.failure;
    this.status = details.status;
    this.errcode = details.errcode;
    this.synapseError = details.synapseError;
  }

  /**
   * Worth retrying later: Synapse was unreachable, slow, overloaded or broken. 4xx answers are
   * definitive (bad input, unknown user, wrong secret) and retrying them changes nothing.
   */
  get retryable(): boolean {
    if (this.failure === 'timeout' || this.failure === 'network') return true;
    return this.status !== undefined && (this.status === 429 || this.status >= 500);
  }
}

function describe(d: SynapseCallErrorDetails): string {
  const head = `Synapse /_synapse/mas/${d.call} failed`;
  switch (d.failure) {
    case 'status': {
      const parts = [`HTTP ${String(d.status)}`, d.errcode, d.synapseError].filter(
        (p): p is string => p !== undefined && p !== '',
      );
      return `${head}: ${parts.join(' ')}`;
    }
    case 'timeout':
    case 'aborted':
    case 'network':
    case 'bad_response':
      return `${head}: ${d.failure}${d.detail === undefined ? '' : ` (${d.detail})`}`;
  }
}
