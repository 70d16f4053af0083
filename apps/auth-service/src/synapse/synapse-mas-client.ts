import { describeError, UpstreamError, upstreamJson } from '@gateway/http';
import { SynapseCallError, type MasCall, type SynapseCallFailure } from './synapse-call-error';
import {
  parseMatrixError,
  parseSynapseUser,
  provisionUserBody,
  unavailableReason,
  type LocalpartAvailability,
  type ProvisionUserRequest,
  type SynapseUser,
  type UpsertOutcome,
} from './synapse-mas-wire';

/**
 * Client for the homeserver-management API Synapse serves to its delegated auth service
 * (`/_synapse/mas/*`, Synapse ≥ 1.135; shapes checked against 1.160 in
 * test/contract/synapse-mas-client.contract.spec.ts).
 *
 * Every call authenticates with `Authorization: Bearer <shared secret>` (the same secret Synapse sends
 * us at introspection) and every endpoint except the two GETs takes a JSON body. Synapse checks the
 * user exists on all user-scoped calls and answers 404 `M_NOT_FOUND` otherwise; a wrong secret is 403.
 * Nothing here retries: callers decide (device sync runs in a job that can; `SynapseCallError.retryable`
 * tells them when it is worth it).
 */
export interface SynapseMasClientOptions {
  /** Synapse's client listener as the auth service reaches it, e.g. `http://synapse:8008/`. */
  baseUrl: string;
  /** `matrix_authentication_service.secret` in homeserver.yaml. */
  secret: string;
  /** Whole request, body included. Default 10 s. */
  timeoutMs?: number;
  userAgent?: string;
  fetch?: typeof fetch;
  /** Called once per request, for metrics and logs. */
  onCall?: (event: MasCallEvent) => void;
}

export interface MasCallEvent {
  call: MasCall;
  durationMs: number;
  /** HTTP status, when Synapse answered. */
  status: number | undefined;
  /** Set when the call threw. */
  failure: SynapseCallFailure | undefined;
}

export interface MasCallOptions {
  /** Cancels the call (e.g. on shutdown); it then fails with `failure: 'aborted'`. */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// Synapse's answers here are `{}` or one small user object; anything bigger is not Synapse.
const MAX_BODY_BYTES = 64 * 1024;

type Request = { method: 'GET'; query: Record<string, string> } | { method: 'POST'; body: object };

interface Answer {
  status: number;
  body: unknown;
}

export class SynapseMasClient {
  private readonly base: string;
  private readonly secret: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly fetch: typeof fetch;
  private readonly onCall: ((event: MasCallEvent) => void) | undefined;

  constructor(options: SynapseMasClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`Synapse base URL must be http(s), got ${url.protocol}`);
    if (options.secret === '') throw new Error('the Synapse shared secret must not be empty');
    // Synapse may sit under a path prefix behind a proxy; keep it, drop the trailing slash.
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.secret = options.secret;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? 'matrix-gateway-auth-service';
    this.fetch = options.fetch ?? globalThis.fetch;
    this.onCall = options.onCall;
  }

  /** The user's profile and status, or `null` if Synapse has no such user (404). */
  async queryUser(localpart: string, options?: MasCallOptions): Promise<SynapseUser | null> {
    try {
      const { body } = await this.send('query_user', { method: 'GET', query: { localpart } }, options);
      const user = parseSynapseUser(body);
      if (user === null)
        throw new SynapseCallError({ call: 'query_user', failure: 'bad_response', status: 200 });
      return user;
    } catch (err) {
      if (err instanceof SynapseCallError && err.status === 404) return null;
      throw err;
    }
  }

  /** Whether Synapse would register this localpart (format, existing users, appservice namespaces). */
  async isLocalpartAvailable(localpart: string, options?: MasCallOptions): Promise<LocalpartAvailability> {
    try {
      await this.send('is_localpart_available', { method: 'GET', query: { localpart } }, options);
      return { available: true };
    } catch (err) {
      // Only these 400s mean "taken"; any other failure is a real error the caller must see.
      if (!(err instanceof SynapseCallError) || err.status !== 400 || err.errcode === undefined) throw err;
      const reason = unavailableReason(err.errcode);
      if (reason === undefined) throw err;
      return { available: false, reason, errcode: err.errcode, message: err.synapseError };
    }
  }

  /** Creates the user (as an admin registration) or updates its profile, e-mails and lock flag. */
  async provisionUser(request: ProvisionUserRequest, options?: MasCallOptions): Promise<UpsertOutcome> {
    const { status } = await this.send(
      'provision_user',
      { method: 'POST', body: provisionUserBody(request) },
      options,
    );
    return this.upsertOutcome('provision_user', status);
  }

  /** Deactivates the user (devices, tokens, room memberships); `erase` also erases their data (GDPR). */
  async deleteUser(localpart: string, erase: boolean, options?: MasCallOptions): Promise<void> {
    await this.send('delete_user', { method: 'POST', body: { localpart, erase } }, options);
  }

  /**
   * Undoes deactivation. Devices deleted by the deactivation stay deleted. On a Synapse database
   * created moments ago this is a 500 until the `profiles_full_user_id_key_idx` background update
   * has run (Synapse upserts into `profiles` before that unique index exists); retryable.
   */
  async reactivateUser(localpart: string, options?: MasCallOptions): Promise<void> {
    await this.send('reactivate_user', { method: 'POST', body: { localpart } }, options);
  }

  async setDisplayName(localpart: string, displayName: string, options?: MasCallOptions): Promise<void> {
    await this.send(
      'set_displayname',
      { method: 'POST', body: { localpart, displayname: displayName } },
      options,
    );
  }

  async unsetDisplayName(localpart: string, options?: MasCallOptions): Promise<void> {
    await this.send('unset_displayname', { method: 'POST', body: { localpart } }, options);
  }

  /** Lets the user replace their cross-signing master key without UIA for the next 10 minutes. */
  async allowCrossSigningReset(localpart: string, options?: MasCallOptions): Promise<void> {
    await this.send('allow_cross_signing_reset', { method: 'POST', body: { localpart } }, options);
  }

  /**
   * Creates the device if missing. Must complete before a token for it is used: Synapse refuses tokens
   * whose device does not exist.
   */
  async upsertDevice(
    localpart: string,
    deviceId: string,
    displayName?: string,
    options?: MasCallOptions,
  ): Promise<UpsertOutcome> {
    const body =
      displayName === undefined
        ? { localpart, device_id: deviceId }
        : { localpart, device_id: deviceId, display_name: displayName };
    const { status } = await this.send('upsert_device', { method: 'POST', body }, options);
    return this.upsertOutcome('upsert_device', status);
  }

  async updateDeviceDisplayName(
    localpart: string,
    deviceId: string,
    displayName: string,
    options?: MasCallOptions,
  ): Promise<void> {
    await this.send(
      'update_device_display_name',
      { method: 'POST', body: { localpart, device_id: deviceId, display_name: displayName } },
      options,
    );
  }

  /** Deletes the device, which is what ends its tokens in Synapse (even ones still in its cache). */
  async deleteDevice(localpart: string, deviceId: string, options?: MasCallOptions): Promise<void> {
    await this.send('delete_device', { method: 'POST', body: { localpart, device_id: deviceId } }, options);
  }

  /** Makes the user's device list exactly `deviceIds` (Synapse keeps a dehydrated device regardless). */
  async syncDevices(localpart: string, deviceIds: Iterable<string>, options?: MasCallOptions): Promise<void> {
    const devices = [...new Set(deviceIds)];
    await this.send('sync_devices', { method: 'POST', body: { localpart, devices } }, options);
  }

  private upsertOutcome(call: MasCall, status: number): UpsertOutcome {
    if (status === 201) return 'created';
    if (status === 200) return 'updated';
    throw new SynapseCallError({ call, failure: 'status', status, synapseError: 'expected 200 or 201' });
  }

  /** One request; resolves only for a 2xx answer, throws `SynapseCallError` for everything else. */
  private async send(call: MasCall, request: Request, options: MasCallOptions | undefined): Promise<Answer> {
    const started = performance.now();
    let status: number | undefined;
    try {
      const answer = await this.exchange(call, request, options?.signal);
      status = answer.status;
      if (answer.status < 200 || answer.status > 299) {
        const { errcode, error } = parseMatrixError(answer.body);
        throw new SynapseCallError({
          call,
          failure: 'status',
          status: answer.status,
          errcode,
          synapseError: error === undefined ? undefined : this.redact(error),
        });
      }
      this.report(call, started, status, undefined);
      return answer;
    } catch (err) {
      const failure = err instanceof SynapseCallError ? err : this.transportError(call, err);
      this.report(call, started, status, failure.failure);
      throw failure;
    }
  }

  private async exchange(
    call: MasCall,
    request: Request,
    callerSignal: AbortSignal | undefined,
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.secret}`,
      accept: 'application/json',
      'user-agent': this.userAgent,
    };
    let url = `${this.base}/_synapse/mas/${call}`;
    if (request.method === 'GET') url += `?${new URLSearchParams(request.query).toString()}`;
    // Redirects are never followed (libs/http's default): Synapse sends none here, and following one
    // could carry the secret elsewhere; the 3xx fails as a plain status error.
    const answer = await upstreamJson(url, {
      method: request.method,
      headers,
      ...(request.method === 'POST' ? { json: request.body } : {}),
      timeoutMs: this.timeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
      secrets: [this.secret],
      ...(callerSignal === undefined ? {} : { signal: callerSignal }),
      fetch: this.fetch,
    });
    return { status: answer.status, body: answer.body };
  }

  private transportError(call: MasCall, err: unknown): SynapseCallError {
    let failure: SynapseCallFailure = 'network';
    if (err instanceof UpstreamError) {
      if (err.kind === 'aborted' || err.kind === 'timeout') failure = err.kind;
      else if (err.kind === 'body-too-large' || err.kind === 'bad-json') failure = 'bad_response';
    }
    return new SynapseCallError({ call, failure, detail: describeError(err, this.secret), cause: err });
  }

  private redact(text: string): string {
    return text.split(this.secret).join('[redacted]');
  }

  private report(
    call: MasCall,
    started: number,
    status: number | undefined,
    failure: SynapseCallFailure | undefined,
  ): void {
    this.onCall?.({ call, durationMs: performance.now() - started, status, failure });
  }
}
